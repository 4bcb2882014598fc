#pragma once
// The timestamp shape insights-sync accepts from Twilio before handing the text, unchanged,
// to PostgreSQL timestamptz: YYYY-MM-DDTHH:MM:SS, optional fractional seconds, then `Z` or a
// ±HH:MM offset. Checking here turns a bad value into a clear page error instead of a failed
// COPY that names no field.

#include <string_view>

namespace insights {

// True if `text` has the shape above and names a real calendar date and time that
// PostgreSQL accepts (year >= 1, leap days, second 60 for leap seconds, offsets up to ±15:59).
bool is_iso8601_timestamp(std::string_view text);

}  // namespace insights
