#pragma once
// Windows to plan, each first due at one instant: how most work-queue tests plan theirs.

#include <vector>

#include "sink/work_queue.hpp"

namespace insights::testing {

inline std::vector<PlannedWindow> planned(const std::vector<TimeWindow>& windows, UtcSeconds due) {
  std::vector<PlannedWindow> result;
  for (const auto& window : windows)
    result.push_back({window, due});
  return result;
}

}  // namespace insights::testing
