#include "core/backoff.hpp"

#include <gtest/gtest.h>

#include "core/adaptive_concurrency.hpp"

namespace insights {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Backoff, FullJitterUnderAGrowingCappedCeiling) {
  const BackoffPolicy policy{milliseconds(500), milliseconds(10000), 2.0};
  EXPECT_EQ(backoff_delay(policy, 0, 0.0), milliseconds(0));
  EXPECT_EQ(backoff_delay(policy, 0, 0.5), milliseconds(250));
  EXPECT_EQ(backoff_delay(policy, 1, 0.5), milliseconds(500));
  EXPECT_EQ(backoff_delay(policy, 3, 0.999), milliseconds(3996));
  EXPECT_EQ(backoff_delay(policy, 10, 0.999), milliseconds(9990)) << "capped at maximum";
  EXPECT_EQ(backoff_delay(policy, 1000, 0.5), milliseconds(5000)) << "huge attempts stay capped";
  EXPECT_EQ(backoff_delay(policy, -3, 0.5), milliseconds(250)) << "negative attempts are 0";
}

TEST(Backoff, RetryAfterIsAFloor) {
  const BackoffPolicy policy{milliseconds(500), milliseconds(10000), 2.0};
  EXPECT_EQ(backoff_delay(policy, 0, 0.5, seconds(3)), milliseconds(3000));
  EXPECT_EQ(backoff_delay(policy, 5, 0.9, seconds(1)), milliseconds(9000));
  EXPECT_EQ(backoff_delay(policy, 5, 0.9, seconds(30)), milliseconds(30000))
      << "the server's wish beats our cap";
}

TEST(AdaptiveConcurrency, HalvesOnPushbackAndGrowsBackOneAtATime) {
  AdaptiveConcurrency concurrency(1, 8);
  EXPECT_EQ(concurrency.limit(), 8);
  concurrency.on_pushback();
  EXPECT_EQ(concurrency.limit(), 4);
  concurrency.on_pushback();
  concurrency.on_pushback();
  concurrency.on_pushback();
  EXPECT_EQ(concurrency.limit(), 1) << "never below the minimum";
  concurrency.on_success();
  EXPECT_EQ(concurrency.limit(), 2);
  concurrency.on_success();
  EXPECT_EQ(concurrency.limit(), 2) << "needs `limit` successes in a row";
  concurrency.on_success();
  EXPECT_EQ(concurrency.limit(), 3);
  for (int i = 0; i < 100; ++i)
    concurrency.on_success();
  EXPECT_EQ(concurrency.limit(), 8) << "never above the maximum";
  concurrency.on_success();
  concurrency.on_pushback();
  EXPECT_EQ(concurrency.limit(), 4);
}

}  // namespace
}  // namespace insights
