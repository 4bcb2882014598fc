#pragma once
// The instant most tests plan, fake-clock and simulate around: a weekday noon, UTC. One constant
// rather than one per file: test files of a target are compiled together (cmake/UnityBuild.cmake).

#include <chrono>

namespace insights::testing {

inline const std::chrono::sys_seconds kTestNoon =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 20) + std::chrono::hours(12);

}  // namespace insights::testing
