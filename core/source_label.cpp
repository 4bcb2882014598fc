#include "core/source_label.hpp"

#include <algorithm>
#include <cctype>

namespace insights {

bool is_source_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string source_label(std::size_t position, std::string_view name) {
  const std::string index = "source[" + std::to_string(position) + "]";
  if (!is_source_name(name))
    return index;
  return "source \"" + std::string(name) + "\" (" + index + ")";
}

}  // namespace insights
