#include "sim/fault_plan.hpp"

#include <gtest/gtest.h>

namespace insights::sim {
namespace {

TEST(FaultPlan, AppliesSettingsAndReportsBadOnes) {
  FaultOptions options;
  EXPECT_TRUE(
      apply_fault_settings(options, "concurrency_cap=3&server_error_rate=0.25&latency_ms=300")
          .empty());
  EXPECT_EQ(options.concurrency_cap, 3);
  EXPECT_DOUBLE_EQ(options.server_error_rate, 0.25);
  EXPECT_EQ(options.latency_ms, 300);
  const auto problems = apply_fault_settings(options, "reset_rate=2&colour=red&latency_ms=-1");
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_DOUBLE_EQ(options.reset_rate, 0);
  EXPECT_NE(fault_options_json(options).find("\"concurrency_cap\":3"), std::string::npos);
}

TEST(FaultPlan, DiceFireAtTheirRateAndRepeatWithTheSeed) {
  FaultDice dice(7), same(7);
  int fired = 0;
  for (int i = 0; i < 100000; ++i) {
    const bool roll = dice.roll(0.2);
    EXPECT_EQ(roll, same.roll(0.2));
    fired += roll;
  }
  EXPECT_NEAR(fired / 100000.0, 0.2, 0.01);
  EXPECT_FALSE(dice.roll(0));
  EXPECT_TRUE(dice.roll(1));
  for (int i = 0; i < 1000; ++i) {
    const int value = dice.uniform(3, 5);
    EXPECT_GE(value, 3);
    EXPECT_LE(value, 5);
  }
}

}  // namespace
}  // namespace insights::sim
