#include "sim/sim_clock.hpp"

#include <gtest/gtest.h>

namespace insights::sim {
namespace {

using namespace std::chrono;

TEST(SimClock, RunsAtItsSpeedAndCanBeSetAdvancedAndFrozen) {
  steady_clock::time_point real{};
  const SimTime start = sys_days(year(2026) / 11 / 1);
  SimClock clock(start, 1.0, [&] { return real; });
  EXPECT_EQ(clock.now(), start);
  real += seconds(10);
  EXPECT_EQ(clock.now(), start + seconds(10));

  clock.set_speed(60);
  real += seconds(2);
  EXPECT_EQ(clock.now(), start + seconds(10 + 120));

  clock.advance(hours(1));
  EXPECT_EQ(clock.now(), start + seconds(130) + hours(1));

  clock.set_speed(0);
  real += hours(5);
  EXPECT_EQ(clock.now(), start + seconds(130) + hours(1));

  clock.set(start);
  EXPECT_EQ(clock.now(), start);
}

}  // namespace
}  // namespace insights::sim
