#include "core/utc_time.hpp"

#include <cctype>

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

// The decimal number in text[at, at + width), or -1.
int digits(std::string_view text, std::size_t at, std::size_t width) {
  if (at + width > text.size())
    return -1;
  int value = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0)
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<UtcSeconds> parse_utc(std::string_view text) {
  using namespace std::chrono;
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':' || h > 23 ||
      mi > 59 || s > 60) {
    return std::nullopt;
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (!date.ok())
    return std::nullopt;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0)
      ++at;
  }
  seconds offset{0};
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int oh = digits(text, at + 1, 2), om = digits(text, at + 4, 2);
    if (oh < 0 || om < 0 || at + 3 >= text.size() || text[at + 3] != ':')
      return std::nullopt;
    offset = hours(oh) + minutes(om);
    if (text[at] == '-')
      offset = -offset;
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size())
    return std::nullopt;
  return UtcSeconds(sys_days(date)) + hours(h) + minutes(mi) + seconds(s) - offset;
}

}  // namespace insights
