#include "api/quoted_excerpt.hpp"

namespace insights {

std::string quoted_excerpt(std::string_view text, std::size_t max_shown) {
  std::string excerpt = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    excerpt += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  excerpt += text.size() > max_shown ? "\"..." : "\"";
  return excerpt;
}

}  // namespace insights
