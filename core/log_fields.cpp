#include "core/log_fields.hpp"

#include <cctype>

namespace insights {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// "source NAME:" or "source NAME " at the start of the line or after a space.
std::string source_of(std::string_view message) {
  for (std::size_t at = message.find("source "); at != std::string_view::npos;
       at = message.find("source ", at + 1)) {
    if (at > 0 && message[at - 1] != ' ')
      continue;
    std::size_t end = at + 7;
    while (end < message.size() && is_name_char(message[end]))
      ++end;
    if (end > at + 7 && (end == message.size() || message[end] == ':' || message[end] == ' '))
      return std::string(message.substr(at + 7, end - at - 7));
  }
  return {};
}

// "window 2026-11-29T01:00:00Z..2026-11-29T02:00:00Z".
std::string window_of(std::string_view message) {
  constexpr std::size_t kLength = 20 + 2 + 20;
  const std::size_t at = message.find("window ");
  if (at == std::string_view::npos || message.size() < at + 7 + kLength)
    return {};
  const std::string_view window = message.substr(at + 7, kLength);
  if (window.substr(20, 2) != ".." || window[19] != 'Z' || window[41] != 'Z')
    return {};
  return std::string(window);
}

std::string call_sid_of(std::string_view message) {
  for (std::size_t at = message.find("CA"); at != std::string_view::npos;
       at = message.find("CA", at + 1)) {
    if (at + 34 > message.size() || (at > 0 && is_name_char(message[at - 1])))
      continue;
    bool hex = true;
    for (std::size_t i = at + 2; i < at + 34 && hex; ++i)
      hex = is_hex(message[i]);
    if (hex && (at + 34 == message.size() || !is_name_char(message[at + 34])))
      return std::string(message.substr(at, 34));
  }
  return {};
}

}  // namespace

LogFields log_fields(std::string_view message) {
  return {source_of(message), window_of(message), call_sid_of(message)};
}

}  // namespace insights
