#pragma once
// The one account and token every sim harness of the tests serves (RunningSim in the test
// process, SimProcess as the executable): insights-sim's defaults (sim/sim_defaults.hpp).

#include "sim/sim_defaults.hpp"

namespace insights::testing {

inline constexpr const char* kSimAccount = sim::kDefaultAccount;
inline constexpr const char* kSimToken = sim::kDefaultToken;

}  // namespace insights::testing
