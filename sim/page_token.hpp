#pragma once
// insights-sim's PageToken: an opaque, tamper-evident keyset cursor. It remembers where the
// previous page ended (or the next one began), the resolved time window (so relative
// StartTime values do not drift while a client pages), and which account and filters it was
// issued for. A token that was altered, or is replayed with other filters or another
// account, is rejected (Twilio error 21481).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/sim_call.hpp"

namespace insights::sim {

struct PageCursor {
  bool forward = true;   // true: items after the key; false: items before it (previous page)
  SimTime sort_key{};    // the sort field's value of the boundary item
  std::string call_sid;  // tie-breaker of the boundary item
  SimTime window_start{}, window_end{};
};

// `binding` names what the token is valid for (account and filters); `secret` makes tokens of
// one sim instance unforgeable by editing.
std::string encode_page_token(const PageCursor& cursor, std::string_view binding,
                              std::uint64_t secret);

// nullopt when the token is malformed, altered, or bound to something else.
std::optional<PageCursor> decode_page_token(std::string_view token, std::string_view binding,
                                            std::uint64_t secret);

}  // namespace insights::sim
