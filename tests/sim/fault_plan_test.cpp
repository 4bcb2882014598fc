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

TEST(FaultPlan, LatencySpikesHaveARateAndALength) {
  FaultOptions options;
  EXPECT_DOUBLE_EQ(options.spike_rate, 0);  // off unless asked for
  EXPECT_EQ(options.spike_ms, 0);
  EXPECT_TRUE(apply_fault_settings(options, "spike_rate=0.15&spike_ms=1500").empty());
  EXPECT_DOUBLE_EQ(options.spike_rate, 0.15);
  EXPECT_EQ(options.spike_ms, 1500);
  const std::string json = fault_options_json(options);
  EXPECT_NE(json.find("\"spike_rate\":0.15"), std::string::npos) << json;
  EXPECT_NE(json.find("\"spike_ms\":1500"), std::string::npos) << json;
  // A rate is a probability and a length a count of milliseconds: bad values change nothing.
  const auto problems = apply_fault_settings(options, "spike_rate=1.5&spike_ms=-3&spike_ms=soon");
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_DOUBLE_EQ(options.spike_rate, 0.15);
  EXPECT_EQ(options.spike_ms, 1500);
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
