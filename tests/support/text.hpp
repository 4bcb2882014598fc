#pragma once
// Small text checks the tests share.

#include <string_view>

namespace insights::testing {

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace insights::testing
