#pragma once
// The API's time grammar: StartTime/EndTime take a relative age (`30m`, `4h`, `3d`, `1w`,
// meaning that long before now) or an ISO-8601 date-time; responses render times as
// `YYYY-MM-DDTHH:MM:SSZ`.

#include <optional>
#include <string>
#include <string_view>

#include "sim/sim_call.hpp"

namespace insights::sim {

// Parses a StartTime/EndTime value relative to `now`: `<n>m|h|d|w`, or
// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (fractions are dropped). nullopt when invalid.
std::optional<SimTime> parse_time_param(std::string_view text, SimTime now);

// `2026-11-28T20:11:29Z`.
std::string format_time(SimTime time);

// Appends format_time(time) to `out` without a temporary (the renderer's hot path).
void append_time(std::string& out, SimTime time);

}  // namespace insights::sim
