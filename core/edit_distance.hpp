#pragma once
// How far apart two words are, for suggesting the key a typo meant (core/key_suggestion.hpp).
// Thread-safe: a pure function.

#include <cstddef>
#include <string_view>

namespace insights {

// The optimal string alignment distance (restricted Damerau-Levenshtein): the fewest
// insertions, deletions, substitutions and swaps of two neighbouring characters that turn `a`
// into `b`, no substring edited twice. Bytes are compared as they are (case matters).
// O(|a| * |b|) time, O(|b|) memory.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace insights
