#include "core/config_value_echo.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace insights {
namespace {

// Enough to recognise a value; a whole certificate or a pasted file would drown the message.
constexpr std::size_t kMaxShown = 100;

// The length of the UTF-8 sequence starting at `at`, or 0 when it is not a valid one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4)
    length = 4;
  if (length == 0 || at + length > text.size())
    return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80)
      return 0;
  }
  return length;
}

void append_escaped(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\r':
      out += "\\r";
      return;
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7F) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\u%04X", byte);
    out += escaped;
    return;
  }
  out += c;
}

// Appends the quoted text; false when it had to be cut.
bool append_quoted(std::string& out, std::string_view text, std::size_t budget) {
  out += '"';
  std::size_t shown = 0;
  std::size_t at = 0;
  while (at < text.size() && shown < budget) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      append_escaped(out, text[at]);
      ++at;
    } else if (const std::size_t length = utf8_sequence_length(text, at); length > 0) {
      out.append(text.substr(at, length));
      at += length;
    } else {
      out += '?';
      ++at;
    }
    ++shown;
  }
  out += '"';
  return at == text.size();
}

bool is_bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// Appends `value`; false once the budget ran out (the caller then stops and adds "...").
bool append_value(std::string& out, const toml::node& value, std::size_t limit) {
  if (out.size() >= limit)
    return false;
  if (const auto* text = value.as_string())
    return append_quoted(out, text->get(), limit - out.size());
  if (const auto* array = value.as_array()) {
    out += '[';
    bool first = true;
    for (const auto& element : *array) {
      if (!first)
        out += ", ";
      first = false;
      if (!append_value(out, element, limit))
        return false;
    }
    out += ']';
    return out.size() <= limit;
  }
  if (const auto* table = value.as_table()) {
    out += '{';
    bool first = true;
    for (const auto& [key, element] : *table) {
      out += first ? "" : ", ";
      first = false;
      if (is_bare_key(key.str())) {
        out += key.str();
      } else if (!append_quoted(out, key.str(), limit - std::min(limit, out.size()))) {
        return false;
      }
      out += " = ";
      if (!append_value(out, element, limit))
        return false;
    }
    out += '}';
    return out.size() <= limit;
  }
  // Numbers, booleans, dates and times: TOML's own spelling (1.5, inf, true, 1979-05-27).
  std::ostringstream plain;
  value.visit([&plain](const auto& node) {
    if constexpr (!toml::is_container<decltype(node)>)
      plain << node;
  });
  out += plain.str();
  return out.size() <= limit;
}

}  // namespace

std::string quoted_config_text(std::string_view text) {
  std::string out;
  if (!append_quoted(out, text, kMaxShown))
    out += "...";
  return out;
}

std::string config_value_echo(const toml::node& value) {
  std::string out;
  if (!append_value(out, value, kMaxShown))
    out += "...";
  return out;
}

}  // namespace insights
