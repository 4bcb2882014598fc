#pragma once
// A clock the test sets (core/clock.hpp): the daemon's code asks it for "now", so a test moves
// time in steps instead of sleeping. Thread-safe.

#include <atomic>

#include "core/clock.hpp"

namespace insights::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(UtcSeconds start) : seconds_(start.time_since_epoch().count()) {}
  UtcSeconds now() const override { return UtcSeconds(std::chrono::seconds(seconds_.load())); }
  void set(UtcSeconds time) { seconds_ = time.time_since_epoch().count(); }
  void advance(std::chrono::seconds by) { seconds_ += by.count(); }

 private:
  std::atomic<long long> seconds_;
};

}  // namespace insights::testing
