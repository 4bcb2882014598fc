#include "core/utc_time.hpp"

namespace insights {

void append_utc(std::string& out, UtcSeconds time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  auto two_digits = [&out](unsigned value) {
    out += static_cast<char>('0' + value / 10);
    out += static_cast<char>('0' + value % 10);
  };
  const int year_number = static_cast<int>(date.year());
  two_digits(static_cast<unsigned>(year_number / 100));
  two_digits(static_cast<unsigned>(year_number % 100));
  out += '-';
  two_digits(static_cast<unsigned>(date.month()));
  out += '-';
  two_digits(static_cast<unsigned>(date.day()));
  out += 'T';
  two_digits(static_cast<unsigned>(clock.hours().count()));
  out += ':';
  two_digits(static_cast<unsigned>(clock.minutes().count()));
  out += ':';
  two_digits(static_cast<unsigned>(clock.seconds().count()));
  out += 'Z';
}

std::string format_utc(UtcSeconds time) {
  std::string text;
  text.reserve(20);
  append_utc(text, time);
  return text;
}

namespace {

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

}  // namespace

std::optional<UtcSeconds> parse_utc(std::string_view text) {
  using namespace std::chrono;
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

}  // namespace insights
