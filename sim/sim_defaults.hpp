#pragma once
// The account and credential insights-sim serves when told nothing else: the parent account of
// its default data set, and the Auth Token it accepts for it (`--credential` replaces it).
// Tests, benchmarks and the quickstart use the same two values.

namespace insights::sim {

inline constexpr const char* kDefaultAccount = "AC00000000000000000000000000000001";
inline constexpr const char* kDefaultToken = "sim-auth-token";

}  // namespace insights::sim
