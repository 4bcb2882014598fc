#pragma once
// Identifiers of simulated calls and accounts.
//
// A call SID is "CA" followed by 32 lowercase hex digits laid out as
//   hour (8) | parent account index (4) | call index within that parent's hour (4) | hash (16)
// so CallStore::find can tell from the SID alone which hour to generate, and the hash of
// (seed, hour, parent, index) makes SIDs differ between seeds and look like real ones.
// Subaccount SIDs are derived from the parent SID alone (not the seed), so a test can name
// them without building a store.
//
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace insights::sim {

struct CallSidParts {
  std::int64_t hour = 0;  // hours since the Unix epoch, 0 .. 2^32-1
  int parent_index = 0;   // index into GeneratorOptions::accounts, 0 .. 65535
  int call_index = 0;     // 0 .. calls_per_hour-1, at most 65535
};

std::string make_call_sid(std::uint64_t seed, const CallSidParts& parts);

// The layout fields of a well-formed SID ("CA" + 32 lowercase hex), or nullopt. Does not
// check the hash: compare with make_call_sid for that.
std::optional<CallSidParts> parse_call_sid(std::string_view call_sid);

// The `count` subaccount SIDs of a parent account, in a fixed order.
std::vector<std::string> subaccount_sids(std::string_view parent_sid, int count);

}  // namespace insights::sim
