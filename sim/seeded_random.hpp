#pragma once
// The sim's only source of randomness: a small SplitMix64 generator that each caller seeds
// explicitly, so every generated value is a pure function of (options.seed, hour, index, ...)
// and the sim serves the same data after a restart. No std::random_device, no global state;
// std::uniform_int_distribution is avoided too because its output differs between standard
// libraries, and the data set must not.
//
// Not thread-safe per instance (each instance is a local value); all functions are pure.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace insights::sim {

// SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t value) {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  value ^= value >> 31;
  return value;
}

// Folds several inputs into one seed; order matters, so (1, 2) and (2, 1) differ.
constexpr std::uint64_t derive_seed(std::initializer_list<std::uint64_t> parts) {
  std::uint64_t state = 0x6a09e667f3bcc909ULL;
  for (std::uint64_t part : parts) {
    state = mix64(state ^ mix64(part + 0x9e3779b97f4a7c15ULL));
  }
  return state;
}

class SeededRandom {
 public:
  explicit constexpr SeededRandom(std::uint64_t seed) : state_(seed) {}

  constexpr std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }

  // Uniform in [lo, hi]; requires lo <= hi and hi - lo < 2^32 (all ranges drawn here are far
  // smaller). Multiply-shift (Lemire) without the rejection step: the bias is below 2^-32.
  constexpr std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(((next() >> 32) * span) >> 32);
  }

  // Uniform index in [0, count); requires count > 0.
  constexpr std::size_t index(std::size_t count) {
    return static_cast<std::size_t>(between(0, static_cast<std::int64_t>(count) - 1));
  }

  // Uniform in [0, 1).
  constexpr double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  constexpr bool chance(double probability) { return unit() < probability; }

  template <typename T>
  constexpr const T& pick(std::span<const T> values) {
    return values[index(values.size())];
  }

 private:
  std::uint64_t state_;
};

// A value with a relative weight, for pick_weighted.
template <typename T>
struct Weighted {
  T value;
  int weight;
};

// Picks by relative weight; requires at least one positive weight.
template <typename T>
constexpr const T& pick_weighted(SeededRandom& random, std::span<const Weighted<T>> choices) {
  std::int64_t total = 0;
  for (const auto& choice : choices)
    total += choice.weight;
  std::int64_t ticket = random.between(0, total - 1);
  for (const auto& choice : choices) {
    if (ticket < choice.weight)
      return choice.value;
    ticket -= choice.weight;
  }
  return choices.back().value;  // unreachable with positive weights
}

}  // namespace insights::sim
