#pragma once
// Renders a simulated call as Twilio's call-summary JSON at a moment of the sim clock.

#include <string>

#include "sim/sim_call.hpp"

namespace insights::sim {

// Appends the summary object (compact JSON, UTF-8) for `call` as seen in `snapshot`, which must
// not be hidden. `url` is the item's "url" member (the list URL, or .../{CallSid}/Summary for
// the single-summary endpoint). Deterministic: same call, snapshot and url give the same bytes.
void append_summary_json(std::string& out, const SimCall& call, const CallSnapshot& snapshot,
                         const std::string& url);

}  // namespace insights::sim
