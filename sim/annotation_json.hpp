#pragma once
// Renders the `annotation` member's value: the customer's labels on a call. Partial
// summaries have none (null). A complete summary at annotation version 0 has an initial
// annotation for ~8% of calls (null otherwise); each later version is a new, always
// non-null annotation drawn from (shape_seed, version), and consecutive versions differ
// (the call_score moves), so a client that missed an edit sees stale data.
// Pure; thread-safe.

#include <cstdint>

#include "sim/json_appender.hpp"
#include "sim/sim_call.hpp"

namespace insights::sim {

void append_annotation_json(JsonAppender& json, std::uint64_t shape_seed,
                            const CallSnapshot& snapshot);

}  // namespace insights::sim
