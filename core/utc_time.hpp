#pragma once
// UTC instants at second precision and their ISO-8601 text, as the Twilio API writes them
// (`2026-11-28T20:11:29Z`). Shared by the daemon's requests and insights-sim's responses.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace insights {

using UtcSeconds = std::chrono::sys_seconds;

// `2026-11-28T20:11:29Z` (years 0000..9999).
std::string format_utc(UtcSeconds time);

// Appends format_utc(time) to `out` without a temporary (hot paths render many).
void append_utc(std::string& out, UtcSeconds time);

// Reads an ISO-8601 instant as Twilio sends them: `YYYY-MM-DDTHH:MM:SS`, optional fractional
// seconds (dropped), then `Z` or an offset `±HH:MM`. nullopt for anything else.
std::optional<UtcSeconds> parse_utc(std::string_view text);

}  // namespace insights
