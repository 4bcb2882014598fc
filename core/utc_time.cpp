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

}  // namespace insights
