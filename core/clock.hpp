#pragma once
// The daemon's only source of "now" (docs/architecture.md, invariant 6): sync logic asks a Clock,
// so tests drive time (and keep it equal to insights-sim's clock) instead of sleeping. Threading:
// implementations must be safe to call from any thread.

#include <chrono>

#include "core/utc_time.hpp"

namespace insights {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UtcSeconds now() const = 0;
};

class SystemClock : public Clock {
 public:
  UtcSeconds now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

}  // namespace insights
