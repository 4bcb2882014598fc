#pragma once
// Corrections for the numbers RapidJSON 1.1 reads wrongly.
//
// Debian 12 ships RapidJSON 1.1.0. Its full-precision number reader (internal::StrtodDiyFp)
// gathers up to 20 significant digits into a 64-bit integer, then normalises it with
// __builtin_clzll, which is undefined for 0. Two kinds of JSON number get there with 0 and come
// out as garbage (GCC build; clang gives other garbage), which the page parser would store in a
// jsonb column as if Twilio had sent it:
// - digits 18446744073709551615 (2^64 - 1) followed by a digit of 5 or more: rounding wraps the
//   integer to 0; 184467440737095516159 reads as -2.0152837033678638e264;
// - a zero that misses the fast path (a large exponent or over 22 fraction digits): 0e40 reads
//   as -2.4258095192198579e229.
// Both found by fuzz/page_parser_fuzzer.cpp (UBSan: "passing zero to clz()"). RapidJSON's later
// releases fixed them.
// Thread-safe: pure functions.

#include <optional>
#include <string_view>

namespace insights {

// True when RapidJSON 1.1 may misread the JSON number `number_text` (as written in the body):
// one of the two kinds above. Over-inclusive for zeros (e.g. 0e5), whose exact value
// read_json_double gives all the same.
bool rapidjson_misreads(std::string_view number_text);

// False when no number in `body` can be one rapidjson_misreads: the 20 digits of the first
// kind, split by at most one decimal point, always hold 1844674407 or 3709551615; the second
// kind is a run of zeros before an exponent, or "0." and 22 more zeros. Lets the parser keep
// RapidJSON's own fast number reading for every other body.
bool may_hold_misread_number(std::string_view body);

// The correctly rounded double of the JSON number `number_text` (std::from_chars); nullopt
// when it is out of a double's range or not a number.
std::optional<double> read_json_double(std::string_view number_text);

}  // namespace insights
