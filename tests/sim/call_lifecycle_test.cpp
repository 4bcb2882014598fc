#include <gtest/gtest.h>

#include <chrono>

#include "sim/call_store.hpp"
#include "sim/sim_call.hpp"

namespace insights::sim {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const SimTime kEnd{hours(490000) + seconds(600)};

SimCall scheduled_call() {
  SimCall call;
  call.end_time = kEnd;
  call.partial_at = kEnd + seconds(120);
  call.complete_at = kEnd + seconds(1800);
  call.annotation_edits = {kEnd + hours(5), kEnd + hours(9)};
  return call;
}

TEST(CallLifecycleTest, HiddenUntilPartialAtThenPartialUntilCompleteAt) {
  const SimCall call = scheduled_call();
  EXPECT_EQ(snapshot_at(call, kEnd).visibility, Visibility::hidden);
  EXPECT_EQ(snapshot_at(call, call.partial_at - seconds(1)).visibility, Visibility::hidden);
  EXPECT_EQ(snapshot_at(call, call.partial_at).visibility, Visibility::partial);
  EXPECT_EQ(snapshot_at(call, call.complete_at - seconds(1)).visibility, Visibility::partial);
  EXPECT_EQ(snapshot_at(call, call.complete_at).visibility, Visibility::complete);
  EXPECT_EQ(snapshot_at(call, call.complete_at + hours(1000)).visibility, Visibility::complete);
}

TEST(CallLifecycleTest, AnnotationVersionCountsEditsThatHaveHappened) {
  const SimCall call = scheduled_call();
  EXPECT_EQ(snapshot_at(call, call.partial_at).annotation_version, 0);
  EXPECT_EQ(snapshot_at(call, call.complete_at).annotation_version, 0);
  EXPECT_EQ(snapshot_at(call, call.annotation_edits[0] - seconds(1)).annotation_version, 0);
  EXPECT_EQ(snapshot_at(call, call.annotation_edits[0]).annotation_version, 1);
  EXPECT_EQ(snapshot_at(call, call.annotation_edits[1] - seconds(1)).annotation_version, 1);
  EXPECT_EQ(snapshot_at(call, call.annotation_edits[1]).annotation_version, 2);
  EXPECT_EQ(snapshot_at(call, call.annotation_edits[1] + hours(100)).annotation_version, 2);
}

TEST(CallLifecycleTest, GeneratedCallsFollowTheConfiguredDelays) {
  GeneratorOptions options;
  options.partial_delay_min = options.partial_delay_max = 300;
  options.complete_delay_min = options.complete_delay_max = 1800;
  options.annotation_edit_fraction = 1.0;
  CallStore store(options);
  const SimTime from{hours(490000)};
  int with_edits = 0;
  for (const SimCall* call : store.calls_starting_in(from, from + hours(2))) {
    const SimTime partial = call->end_time + seconds(300);
    const SimTime complete = call->end_time + seconds(1800);
    ASSERT_EQ(snapshot_at(*call, partial - seconds(1)).visibility, Visibility::hidden);
    ASSERT_EQ(snapshot_at(*call, partial).visibility, Visibility::partial);
    ASSERT_EQ(snapshot_at(*call, complete - seconds(1)).visibility, Visibility::partial);
    ASSERT_EQ(snapshot_at(*call, complete).visibility, Visibility::complete);
    const auto& edits = call->annotation_edits;
    with_edits += !edits.empty();
    for (std::size_t i = 0; i < edits.size(); ++i) {
      ASSERT_EQ(snapshot_at(*call, edits[i]).annotation_version, static_cast<int>(i) + 1);
      ASSERT_EQ(snapshot_at(*call, edits[i] - seconds(1)).annotation_version, static_cast<int>(i));
    }
  }
  // Payloads without an annotation key (~5.5%) never get edits; every other call does.
  EXPECT_GT(with_edits, 200);
}

}  // namespace
}  // namespace insights::sim
