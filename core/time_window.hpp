#pragma once
// A half-open interval [start, end) of UTC seconds: one work item's slice of time.

#include "core/utc_time.hpp"

namespace insights {

struct TimeWindow {
  UtcSeconds start{};
  UtcSeconds end{};

  bool operator==(const TimeWindow&) const = default;
};

}  // namespace insights
