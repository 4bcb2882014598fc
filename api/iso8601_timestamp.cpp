#include "api/iso8601_timestamp.hpp"

#include <chrono>
#include <cstddef>

namespace insights {
namespace {

// Reads `count` ASCII digits starting at `pos`; false if the text is too short or one is not
// a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) {
    return false;
  }
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

bool has_char(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

// PostgreSQL rejects time zone displacements beyond 15:59 (MAX_TZDISP_HOUR).
constexpr int kMaxOffsetHours = 15;

}  // namespace

bool is_iso8601_timestamp(std::string_view text) {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  // Fixed part: "YYYY-MM-DDTHH:MM:SS" is 19 characters.
  const bool fixed_part_ok = read_digits(text, 0, 4, year) && has_char(text, 4, '-') &&
                             read_digits(text, 5, 2, month) && has_char(text, 7, '-') &&
                             read_digits(text, 8, 2, day) && has_char(text, 10, 'T') &&
                             read_digits(text, 11, 2, hour) && has_char(text, 13, ':') &&
                             read_digits(text, 14, 2, minute) && has_char(text, 16, ':') &&
                             read_digits(text, 17, 2, second);
  if (!fixed_part_ok) {
    return false;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (year < 1 || !date.ok() || hour > 23 || minute > 59 || second > 60) {
    return false;
  }

  std::size_t pos = 19;
  if (has_char(text, pos, '.')) {
    const std::size_t first_fraction_digit = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
    if (pos == first_fraction_digit) {
      return false;
    }
  }

  if (has_char(text, pos, 'Z')) {
    return pos + 1 == text.size();
  }
  if (!has_char(text, pos, '+') && !has_char(text, pos, '-')) {
    return false;
  }
  int offset_hours = 0;
  int offset_minutes = 0;
  return read_digits(text, pos + 1, 2, offset_hours) && has_char(text, pos + 3, ':') &&
         read_digits(text, pos + 4, 2, offset_minutes) && pos + 6 == text.size() &&
         offset_hours <= kMaxOffsetHours && offset_minutes <= 59;
}

}  // namespace insights
