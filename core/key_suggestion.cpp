#include "core/key_suggestion.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/edit_distance.hpp"

namespace insights {
namespace {

constexpr std::size_t kMaxEdits = 2;

// Lower case, '-' as '_': TOML keys here are snake_case, environment variables upper case.
std::string folded(std::string_view key) {
  std::string result;
  for (const char c : key)
    result += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::string without_underscores(std::string text) {
  std::erase(text, '_');
  return text;
}

}  // namespace

std::optional<std::string> nearest_key(std::string_view unknown,
                                       const std::vector<std::string>& known) {
  const std::string wanted = folded(unknown);
  const std::size_t allowed = std::min(kMaxEdits, wanted.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : known) {
    const std::string folded_candidate = folded(candidate);
    if (folded_candidate == wanted)
      return candidate;  // differs only in case or '-'
    const std::size_t distance =
        without_underscores(folded_candidate) == without_underscores(wanted)
            ? 0
            : edit_distance(wanted, folded_candidate);
    if (distance <= allowed && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace insights
