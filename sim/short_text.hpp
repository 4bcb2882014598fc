#pragma once
// Short generated strings (IP addresses, SIDs, SIP call IDs) built on the stack, because the
// renderer makes a dozen per summary and heap strings would dominate its cost.
// Appends beyond the capacity are truncated (callers stay far below it). Pure; thread-safe.

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sim/seeded_random.hpp"

namespace insights::sim {

class ShortText {
 public:
  static constexpr std::size_t kCapacity = 64;

  ShortText& append(std::string_view text) {
    const std::size_t count = std::min(text.size(), kCapacity - size_);
    std::copy_n(text.data(), count, data_ + size_);
    size_ += count;
    return *this;
  }

  ShortText& append_number(std::int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    return append(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }

  ShortText& append_hex(SeededRandom& random, int digit_count) {
    static constexpr char kHexDigits[] = "0123456789abcdef";
    std::uint64_t bits = random.next();
    for (int i = 0; i < digit_count; ++i) {
      if (i % 16 == 0 && i > 0)
        bits = random.next();
      const char digit = kHexDigits[bits & 0xf];
      bits >>= 4;
      append(std::string_view(&digit, 1));
    }
    return *this;
  }

  // A dotted quad: one of `prefixes` (three octets and a dot) plus a host number.
  ShortText& append_ipv4(SeededRandom& random, std::span<const std::string_view> prefixes) {
    return append(random.pick(prefixes)).append_number(random.between(1, 254));
  }

  std::string_view view() const { return std::string_view(data_, size_); }

 private:
  char data_[kCapacity];
  std::size_t size_ = 0;
};

}  // namespace insights::sim
