#include "sim/time_param.hpp"

#include <charconv>

#include "core/utc_time.hpp"

namespace insights::sim {
namespace {

using namespace std::chrono;

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

}  // namespace

std::optional<SimTime> parse_time_param(std::string_view text, SimTime now) {
  if (text.size() >= 19 && text[4] == '-')
    return parse_utc(text);
  return parse_relative(text, now);
}

void append_time(std::string& out, SimTime time) {
  append_utc(out, time);
}

std::string format_time(SimTime time) {
  return format_utc(time);
}

}  // namespace insights::sim
