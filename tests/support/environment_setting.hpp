#pragma once
// A number a long-running test reads from its environment (INSIGHTS_CRASH_TRIALS,
// INSIGHTS_STORM_SECONDS, …), so tests/long/run.sh can run the same test longer:
//
//   const int trials = environment_setting("INSIGHTS_CRASH_TRIALS", 20, 1, 100'000);
//
// Unset or empty: `fallback`. Anything but a number in [low, high] throws
// std::invalid_argument naming the variable, so a typo never runs a silently different test.

#include <charconv>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace insights::testing {

template <typename Number>
Number environment_setting(const char* name, Number fallback, Number low, Number high) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0')
    return fallback;
  const std::string_view value(text);
  Number parsed{};
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc() || end != value.data() + value.size() || parsed < low || parsed > high) {
    std::ostringstream message;
    message << name << " must be a number from " << low << " to " << high << "; got \"" << value
            << "\"";
    throw std::invalid_argument(message.str());
  }
  return parsed;
}

}  // namespace insights::testing
