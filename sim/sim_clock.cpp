#include "sim/sim_clock.hpp"

namespace insights::sim {

SimClock::SimClock(SimTime start, double speed, RealClock real)
    : real_(std::move(real)), speed_(speed) {
  anchor(start);
}

SimTime SimClock::now() const {
  const std::chrono::duration<double> real_elapsed = real_() - anchor_real_;
  const auto sim_elapsed = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::duration<double>(real_elapsed.count() * speed_));
  return anchor_sim_ + sim_elapsed;
}

void SimClock::anchor(SimTime time) {
  anchor_sim_ = time;
  anchor_real_ = real_();
}

void SimClock::set(SimTime time) {
  anchor(time);
}

void SimClock::advance(std::chrono::seconds by) {
  anchor(now() + by);
}

void SimClock::set_speed(double speed) {
  anchor(now());
  speed_ = speed;
}

}  // namespace insights::sim
