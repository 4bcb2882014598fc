#include "core/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace insights {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt,
                                        double unit_random,
                                        std::optional<std::chrono::seconds> retry_after) {
  const double ceiling_ms = std::min(static_cast<double>(policy.maximum.count()),
                                     static_cast<double>(policy.initial.count()) *
                                         std::pow(policy.multiplier, std::clamp(attempt, 0, 64)));
  const double draw = std::clamp(unit_random, 0.0, 1.0);
  std::chrono::milliseconds delay{static_cast<long long>(ceiling_ms * draw)};
  if (retry_after)
    delay = std::max<std::chrono::milliseconds>(delay, *retry_after);
  return delay;
}

}  // namespace insights
