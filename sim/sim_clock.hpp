#pragma once
// The sim's clock: real speed, a speed factor, or frozen, and settable by an admin request.
// Sim time = anchor + (real time since the anchor was set) × speed; every change re-anchors,
// so time never jumps except by an explicit set or advance.
//
// Threading: not thread-safe (used on the sim's event-loop thread). The real-time source is
// injected, so tests can drive it.

#include <chrono>
#include <functional>

#include "sim/sim_call.hpp"

namespace insights::sim {

class SimClock {
 public:
  using RealClock = std::function<std::chrono::steady_clock::time_point()>;

  SimClock(SimTime start, double speed, RealClock real = std::chrono::steady_clock::now);

  SimTime now() const;
  double speed() const { return speed_; }

  void set(SimTime time);                 // jump to `time`, keep the speed
  void advance(std::chrono::seconds by);  // jump forward (or back, if negative)
  void set_speed(double speed);           // 0 freezes; 1 is real time; 60 is a minute a second

 private:
  void anchor(SimTime time);

  RealClock real_;
  SimTime anchor_sim_;
  std::chrono::steady_clock::time_point anchor_real_;
  double speed_;
};

}  // namespace insights::sim
