// The live schedule's edge poll, its pure decisions: the range a poll lists, and how calls
// that left the partial listing are read back.
#include "daemon/live_edge_plan.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using insights::testing::kTestNoon;

PartialSighting sighting(const std::string& sid, minutes start_after_noon, minutes lasted) {
  const UtcSeconds start = kTestNoon + start_after_noon;
  return {sid, start, start + lasted};
}

TEST(LiveEdgePlan, APollReachesBackAsFarAsACallCanStillBePartial) {
  SyncOptions options;
  options.settle_after_minutes = 300;
  const TimeWindow range = edge_poll_range(kTestNoon, options);
  // A call of the longest length that ended just now, still waiting to complete, started
  // within it (start-time filter) and ended within it (end-time filter).
  EXPECT_EQ(range.start, kTestNoon - minutes(300));
  EXPECT_EQ(range.end, kTestNoon + minutes(1));
}

TEST(LiveEdgePlan, CallsCloseInTimeShareOneRangeHoldingEveryStartAndEveryEnd) {
  const SyncOptions options;  // one-hour windows
  const auto reads = plan_completion_reads(
      {sighting("CA2", minutes(10), minutes(5)), sighting("CA1", minutes(0), minutes(3)),
       sighting("CA3", minutes(30), minutes(25))},
      options);
  ASSERT_EQ(reads.ranges.size(), 1u);
  EXPECT_TRUE(reads.one_by_one.empty());
  EXPECT_EQ(reads.ranges[0].start, kTestNoon);
  // EndTime is exclusive: a second past the last end.
  EXPECT_EQ(reads.ranges[0].end, kTestNoon + minutes(55) + seconds(1));
}

TEST(LiveEdgePlan, ARangeSpansAtMostAWindowThenANewOneBegins) {
  const SyncOptions options;
  const auto reads = plan_completion_reads(
      {sighting("CA1", minutes(0), minutes(2)), sighting("CA2", minutes(50), minutes(20)),
       sighting("CA3", minutes(65), minutes(1))},
      options);
  ASSERT_EQ(reads.ranges.size(), 2u);
  EXPECT_EQ(reads.ranges[0], (TimeWindow{kTestNoon, kTestNoon + minutes(2) + seconds(1)}));
  EXPECT_EQ(reads.ranges[1].start, kTestNoon + minutes(50));
  EXPECT_EQ(reads.ranges[1].end, kTestNoon + minutes(70) + seconds(1));
}

TEST(LiveEdgePlan, CallsThatLastedOverHalfAnHourAreReadOneByOne) {
  const SyncOptions options;
  const auto reads = plan_completion_reads(
      {sighting("CA_long", minutes(0), hours(3)), sighting("CA_short", minutes(170), minutes(4)),
       sighting("CA_edge", minutes(100), minutes(30))},
      options);
  EXPECT_EQ(reads.one_by_one, std::vector<std::string>{"CA_long"});
  ASSERT_EQ(reads.ranges.size(), 2u);  // 30 minutes exactly still shares a range
  EXPECT_EQ(reads.ranges[0].start, kTestNoon + minutes(100));
  EXPECT_EQ(reads.ranges[1].start, kTestNoon + minutes(170));
}

TEST(LiveEdgePlan, NothingToReadMeansNoRequest) {
  const auto reads = plan_completion_reads({}, SyncOptions{});
  EXPECT_TRUE(reads.ranges.empty());
  EXPECT_TRUE(reads.one_by_one.empty());
}

}  // namespace
}  // namespace insights
