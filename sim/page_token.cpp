#include "sim/page_token.hpp"

#include <charconv>
#include <vector>

namespace insights::sim {
namespace {

// FNV-1a over the secret, the binding and the payload: not cryptographic, but any edit or
// re-use with other filters changes it, which is all a local stand-in needs.
std::uint64_t seal(std::string_view payload, std::string_view binding, std::uint64_t secret) {
  std::uint64_t hash = 14695981039346656037ull ^ secret;
  for (std::string_view part : {binding, std::string_view("\x1f"), payload}) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
  }
  return hash;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (error != std::errc() || end != hex.data() + i + 2)
      return std::nullopt;
    out += static_cast<char>(value);
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos)
      return parts;
    start = end + 1;
  }
}

std::optional<long long> number(std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

}  // namespace

std::string encode_page_token(const PageCursor& cursor, std::string_view binding,
                              std::uint64_t secret) {
  const std::string payload = std::string(cursor.forward ? "n" : "p") + "|" +
                              std::to_string(cursor.sort_key.time_since_epoch().count()) + "|" +
                              cursor.call_sid + "|" +
                              std::to_string(cursor.window_start.time_since_epoch().count()) + "|" +
                              std::to_string(cursor.window_end.time_since_epoch().count());
  return "PT" + to_hex(payload) + "." + std::to_string(seal(payload, binding, secret));
}

std::optional<PageCursor> decode_page_token(std::string_view token, std::string_view binding,
                                            std::uint64_t secret) {
  if (!token.starts_with("PT"))
    return std::nullopt;
  const std::size_t dot = token.find('.');
  if (dot == std::string_view::npos)
    return std::nullopt;
  const auto payload = from_hex(token.substr(2, dot - 2));
  if (!payload)
    return std::nullopt;
  if (std::to_string(seal(*payload, binding, secret)) != token.substr(dot + 1)) {
    return std::nullopt;
  }
  const auto fields = split(*payload, '|');
  if (fields.size() != 5 || (fields[0] != "n" && fields[0] != "p"))
    return std::nullopt;
  const auto key = number(fields[1]), start = number(fields[3]), end = number(fields[4]);
  if (!key || !start || !end)
    return std::nullopt;
  PageCursor cursor;
  cursor.forward = fields[0] == "n";
  cursor.sort_key = SimTime(std::chrono::seconds(*key));
  cursor.call_sid = std::string(fields[2]);
  cursor.window_start = SimTime(std::chrono::seconds(*start));
  cursor.window_end = SimTime(std::chrono::seconds(*end));
  return cursor;
}

}  // namespace insights::sim
