#include "daemon/backfill_range.hpp"

#include <charconv>

#include "core/twilio_vocabulary.hpp"
#include "core/utc_time.hpp"
#include "daemon/window_planner.hpp"

namespace insights {
namespace {

std::optional<std::chrono::seconds> unit_length(char unit) {
  switch (unit) {
    case 's':
      return std::chrono::seconds(1);
    case 'm':
      return std::chrono::minutes(1);
    case 'h':
      return std::chrono::hours(1);
    case 'd':
      return std::chrono::days(1);
    case 'w':
      return std::chrono::weeks(1);
    default:
      return std::nullopt;
  }
}

// `7d`: seven days before now.
std::optional<UtcSeconds> parse_age(std::string_view text, UtcSeconds now) {
  if (text.size() < 2)
    return std::nullopt;
  const auto unit = unit_length(text.back());
  const std::string_view digits = text.substr(0, text.size() - 1);
  long long count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  // Ages beyond a few years are typos, and would overflow the arithmetic below.
  if (!unit || error != std::errc() || end != digits.data() + digits.size() || count < 0 ||
      count > 100000) {
    return std::nullopt;
  }
  return now - count * *unit;
}

// `2026-11-01`: that day's midnight, UTC.
std::optional<UtcSeconds> parse_date(std::string_view text) {
  if (text.size() != 10)
    return std::nullopt;
  return parse_utc(std::string(text) + "T00:00:00Z");
}

std::string describe_duration(std::chrono::seconds length) {
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(length).count();
  if (hours >= 48)
    return std::to_string(hours / 24) + " days";
  return std::to_string(hours) + " hours";
}

}  // namespace

UtcSeconds parse_backfill_time(std::string_view text, std::string_view flag, UtcSeconds now) {
  if (text == "now")
    return now;
  if (auto age = parse_age(text, now))
    return *age;
  if (auto date = parse_date(text))
    return *date;
  if (auto instant = parse_utc(text))
    return *instant;
  throw BackfillRangeError(std::string(flag) + " \"" + std::string(text) +
                           "\" is not a time: use an ISO-8601 instant (2026-11-01T00:00:00Z), a "
                           "UTC date (2026-11-01), `now`, or an age such as 90m, 12h, 7d, 2w");
}

BackfillRange resolve_backfill_range(UtcSeconds from, UtcSeconds to, UtcSeconds now,
                                     const SyncOptions& options) {
  if (from >= to) {
    throw BackfillRangeError("the range " + format_utc(from) + " .. " + format_utc(to) + " is " +
                             (from == to ? "empty" : "reversed") + ": --from must be before --to");
  }
  BackfillRange result;
  const UtcSeconds oldest = now - kTwilioRetention;
  if (to <= oldest) {
    throw BackfillRangeError("the range " + format_utc(from) + " .. " + format_utc(to) +
                             " lies entirely beyond Twilio's 30-day retention (nothing before " +
                             format_utc(oldest) + " can be read any more)");
  }
  if (from < oldest) {
    result.warnings.push_back(
        "--from " + format_utc(from) + " is beyond Twilio's 30-day retention; clamped to " +
        format_utc(oldest) + " (" + describe_duration(oldest - from) + " dropped)");
    from = oldest;
  }
  if (to > now) {
    result.warnings.push_back("--to " + format_utc(to) + " is in the future; clamped to now (" +
                              format_utc(now) + ")");
    to = now;
  }
  // Whole windows: the one holding `to` is included (its calls up to now are loaded).
  const UtcSeconds start = window_floor(from, options);
  UtcSeconds end = window_floor(to, options);
  if (end < to)
    end += std::chrono::minutes(options.window_minutes);
  result.range = {start, end};
  return result;
}

}  // namespace insights
