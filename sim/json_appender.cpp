#include "sim/json_appender.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

#include "sim/json_text.hpp"
#include "sim/time_param.hpp"

namespace insights::sim {
namespace {

constexpr std::array<std::int64_t, 10> kPowersOfTen{
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

constexpr std::size_t kLongestFastKey = 60;

void append_digits(std::string& out, std::int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

}  // namespace

void JsonAppender::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  const std::uint64_t bit = std::uint64_t{1} << depth_;
  if ((level_has_items_ & bit) != 0)
    out_ += ',';
  level_has_items_ |= bit;
}

void JsonAppender::begin_object() {
  before_value();
  out_ += '{';
  ++depth_;
  level_has_items_ &= ~(std::uint64_t{1} << depth_);
}

void JsonAppender::end_object() {
  --depth_;
  out_ += '}';
}

void JsonAppender::begin_array() {
  before_value();
  out_ += '[';
  ++depth_;
  level_has_items_ &= ~(std::uint64_t{1} << depth_);
}

void JsonAppender::end_array() {
  --depth_;
  out_ += ']';
}

void JsonAppender::key(std::string_view name) {
  // Keys are the most frequent token: assemble `,"name":` on the stack and append it once.
  char token[kLongestFastKey + 4];
  std::size_t length = 0;
  const std::uint64_t bit = std::uint64_t{1} << depth_;
  if ((level_has_items_ & bit) != 0)
    token[length++] = ',';
  level_has_items_ |= bit;
  after_key_ = true;
  if (name.size() > kLongestFastKey) {
    out_.append(token, length);
    out_ += '"';
    out_ += name;
    out_ += "\":";
    return;
  }
  token[length++] = '"';
  std::copy(name.begin(), name.end(), token + length);
  length += name.size();
  token[length++] = '"';
  token[length++] = ':';
  out_.append(token, length);
}

void JsonAppender::string(std::string_view utf8) {
  before_value();
  // Nearly every string needs no escaping: copy it in one piece and leave the byte-by-byte
  // escaper for the rest (it dominated the render profile).
  const bool plain = std::none_of(utf8.begin(), utf8.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (!plain) {
    append_json_string(out_, utf8);
    return;
  }
  out_ += '"';
  out_ += utf8;
  out_ += '"';
}

void JsonAppender::integer(std::int64_t value) {
  before_value();
  append_digits(out_, value);
}

void JsonAppender::fixed(std::int64_t scaled, int decimals) {
  before_value();
  if (scaled < 0) {
    out_ += '-';
    scaled = -scaled;
  }
  const std::int64_t unit = kPowersOfTen[static_cast<std::size_t>(decimals)];
  append_digits(out_, scaled / unit);
  out_ += '.';
  std::int64_t fraction = scaled % unit;
  if (fraction == 0) {
    out_ += '0';
    return;
  }
  // Leading zeros of the fraction, then its digits without trailing zeros.
  int digits = decimals;
  while (fraction % 10 == 0) {
    fraction /= 10;
    --digits;
  }
  for (std::int64_t rest = fraction * 10; rest < kPowersOfTen[static_cast<std::size_t>(digits)];
       rest *= 10) {
    out_ += '0';
  }
  append_digits(out_, fraction);
}

void JsonAppender::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
}

void JsonAppender::null() {
  before_value();
  out_ += "null";
}

void JsonAppender::time(SimTime instant) {
  before_value();
  out_ += '"';
  append_time(out_, instant);
  out_ += '"';
}

}  // namespace insights::sim
