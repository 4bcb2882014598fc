#include "api/rapidjson_number_fix.hpp"

#include <charconv>
#include <system_error>

namespace insights {
namespace {

constexpr std::string_view kLargestUint64 = "18446744073709551615";
// RapidJSON's exact fast path covers a zero with at most this many fraction digits.
constexpr std::size_t kMaxFastFractionDigits = 22;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_word_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

bool rapidjson_misreads(std::string_view number_text) {
  // Walk the significand's digits (up to the exponent), skipping the decimal point and the
  // leading zeros, comparing them with 2^64 - 1 and then looking at the digit after.
  std::size_t matched = 0;
  std::size_t fraction_digits = 0;
  bool in_fraction = false;
  bool has_exponent = false;
  for (const char c : number_text) {
    if (c == 'e' || c == 'E') {
      has_exponent = true;
      break;
    }
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (!is_digit(c)) {
      continue;  // the sign
    }
    fraction_digits += in_fraction ? 1 : 0;
    if (matched == 0 && c == '0') {
      continue;  // a leading zero
    }
    if (matched == kLargestUint64.size()) {
      return c >= '5';
    }
    if (c != kLargestUint64[matched]) {
      return false;
    }
    ++matched;
  }
  // A zero written with an exponent or many fraction digits leaves the fast path and reaches
  // the same code with a zero significand: "0e40" reads as -2.4258095192198579e229.
  return matched == 0 && (has_exponent || fraction_digits > kMaxFastFractionDigits);
}

bool may_hold_misread_number(std::string_view body) {
  if (body.find(kLargestUint64.substr(0, 10)) != std::string_view::npos ||
      body.find(kLargestUint64.substr(10)) != std::string_view::npos ||
      body.find("0.0000000000000000000000") != std::string_view::npos) {
    return true;
  }
  // A number made only of zeros (and a point) followed by an exponent: "0e40", "-0.00E9".
  for (std::size_t e = body.find_first_of("eE"); e != std::string_view::npos;
       e = body.find_first_of("eE", e + 1)) {
    std::size_t begin = e;
    while (begin > 0 && (body[begin - 1] == '0' || body[begin - 1] == '.'))
      --begin;
    if (begin < e && body[begin] == '0' && (begin == 0 || !is_word_char(body[begin - 1])))
      return true;
  }
  return false;
}

std::optional<double> read_json_double(std::string_view number_text) {
  double value = 0;
  const char* last = number_text.data() + number_text.size();
  const auto [end, error] = std::from_chars(number_text.data(), last, value);
  if (error != std::errc() || end != last) {
    return std::nullopt;
  }
  return value;
}

}  // namespace insights
