#include "sim/time_param.hpp"

#include <charconv>

#include "core/utc_time.hpp"

namespace insights::sim {
namespace {

using namespace std::chrono;

// Reads exactly `width` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size())
    return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<SimTime> parse_relative(std::string_view text, SimTime now) {
  if (text.size() < 2)
    return std::nullopt;
  long long amount = 0;
  const char* end = text.data() + text.size() - 1;
  const auto [stop, error] = std::from_chars(text.data(), end, amount);
  if (error != std::errc() || stop != end || amount < 0 || amount > 100000)
    return std::nullopt;
  switch (text.back()) {
    case 'm':
      return now - minutes(amount);
    case 'h':
      return now - hours(amount);
    case 'd':
      return now - days(amount);
    case 'w':
      return now - weeks(amount);
    default:
      return std::nullopt;
  }
}

std::optional<SimTime> parse_iso(std::string_view text) {
  const auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                            std::chrono::day(*day)};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59)
    return std::nullopt;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t first_digit = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    if (pos == first_digit)
      return std::nullopt;
  }
  seconds offset{0};
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const auto offset_hours = digits(text, pos + 1, 2), offset_minutes = digits(text, pos + 4, 2);
    if (!offset_hours || !offset_minutes || text.size() < pos + 6 || text[pos + 3] != ':' ||
        *offset_hours > 14 || *offset_minutes > 59) {
      return std::nullopt;
    }
    offset = hours(*offset_hours) + minutes(*offset_minutes);
    if (text[pos] == '-')
      offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size())
    return std::nullopt;
  return sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) - offset;
}

}  // namespace

std::optional<SimTime> parse_time_param(std::string_view text, SimTime now) {
  if (text.size() >= 19 && text[4] == '-')
    return parse_iso(text);
  return parse_relative(text, now);
}

void append_time(std::string& out, SimTime time) {
  append_utc(out, time);
}

std::string format_time(SimTime time) {
  return format_utc(time);
}

}  // namespace insights::sim
