// The work queue's contract (sink/work_queue.hpp), run against both implementations: PgWorkQueue
// on a fresh PostgreSQL database and the tests' InMemoryWorkQueue. Scheduler tests trust the
// in-memory queue because it passes these same cases.
#include <gtest/gtest.h>

#include <memory>

#include "api/page_parser.hpp"
#include "sink/pg_work_queue.hpp"
#include "tests/support/in_memory_work_queue.hpp"
#include "tests/support/planned_windows.hpp"
#include "tests/support/run_now.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;

TimeWindow hour_ending(UtcSeconds end) {
  return {end - hours(1), end};
}

class WorkQueueContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      db = std::make_unique<TestDatabase>();
      db->migrate();
      queue = std::make_unique<PgWorkQueue>(PgSinkOptions{db->conninfo(), {}});
    } else {
      queue = std::make_unique<InMemoryWorkQueue>();
    }
    run_now(queue->register_source("main", kSimAccount));
  }

  int plan(WorkKind kind, const std::vector<TimeWindow>& windows, UtcSeconds due) {
    return run_now(queue->add_windows("main", kind, planned(windows, due)));
  }

  std::vector<WorkItem> claim(const std::string& owner, UtcSeconds now, int limit = 10) {
    ClaimRequest request;
    request.source = "main";
    request.owner = owner;
    request.now = now;
    request.limit = limit;
    return run_now(queue->claim_due(request));
  }

  CommitResult commit(const WorkItem& item, const std::string& owner,
                      const std::vector<std::string>& summaries, const std::string& next = "") {
    return run_now(queue->commit_page({item.id, item.passes_completed, item.cursor, owner},
                                      parse_summaries_page(page_json(summaries, next)),
                                      std::nullopt));
  }

  bool finish(const WorkItem& item, const std::string& owner, bool settled, UtcSeconds next_due,
              bool annotation_done, UtcSeconds now) {
    return run_now(queue->finish_pass(item.id, owner,
                                      FinishedPass{.settled = settled,
                                                   .next_due = next_due,
                                                   .annotation_pass_done = annotation_done,
                                                   .now = now}));
  }

  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<WorkQueue> queue;
};

TEST_P(WorkQueueContract, PlanningIsIdempotentAndKnowsTheLatestEnd) {
  EXPECT_EQ(
      plan(WorkKind::live, {hour_ending(kTestNoon - hours(1)), hour_ending(kTestNoon)}, kTestNoon),
      2);
  EXPECT_EQ(
      plan(WorkKind::live, {hour_ending(kTestNoon), hour_ending(kTestNoon + hours(1))}, kTestNoon),
      1);
  EXPECT_EQ(run_now(queue->latest_window_end("main", WorkKind::live)), kTestNoon + hours(1));
  EXPECT_EQ(run_now(queue->latest_window_end("main", WorkKind::backfill)), std::nullopt);
}

TEST_P(WorkQueueContract, ClaimsTakeDueWindowsLiveFirstTheCurrentOneFirstThenOldestDue) {
  plan(WorkKind::backfill, {hour_ending(kTestNoon - hours(48))}, kTestNoon - hours(3));
  plan(WorkKind::live, {hour_ending(kTestNoon - hours(1))}, kTestNoon - hours(1));
  plan(WorkKind::live, {hour_ending(kTestNoon + hours(1))}, kTestNoon);             // holds "now"
  plan(WorkKind::live, {hour_ending(kTestNoon + hours(2))}, kTestNoon + hours(1));  // not due yet
  const auto claimed = claim("me", kTestNoon);
  ASSERT_EQ(claimed.size(), 3u);
  EXPECT_EQ(claimed[0].window, hour_ending(kTestNoon + hours(1)));
  EXPECT_EQ(claimed[1].window, hour_ending(kTestNoon - hours(1)));
  EXPECT_EQ(claimed[2].kind, WorkKind::backfill);
  for (const auto& item : claimed) {
    EXPECT_EQ(item.state, WorkState::pending);
    EXPECT_EQ(item.pass_started_at, kTestNoon);
  }
  EXPECT_TRUE(claim("other", kTestNoon + seconds(59)).empty()) << "leased for 60 s";
}

TEST_P(WorkQueueContract, AnExpiredLeaseGoesToAnotherOwnerAndTheOldOneCanNoLongerWrite) {
  plan(WorkKind::live, {hour_ending(kTestNoon)}, kTestNoon);
  const WorkItem held = claim("old", kTestNoon).at(0);
  const auto taken = claim("new", kTestNoon + seconds(61));
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_FALSE(run_now(queue->renew_lease(held.id, "old", kTestNoon + hours(1))));
  EXPECT_FALSE(run_now(queue->release(held.id, "old")));
  EXPECT_FALSE(run_now(queue->reload(held.id, "old")));
  EXPECT_THROW(commit(held, "old", {summary_json(call_sid(1), "complete")}), StaleWorkItemError);
  EXPECT_TRUE(run_now(queue->renew_lease(held.id, "new", kTestNoon + hours(1))));
  EXPECT_TRUE(run_now(queue->release(held.id, "new")));
  EXPECT_EQ(claim("third", kTestNoon + seconds(62)).size(), 1u) << "released: free at once";
}

TEST_P(WorkQueueContract, APageCommitsOnceAtItsCursorAndTheLastPageEndsThePass) {
  plan(WorkKind::live, {hour_ending(kTestNoon)}, kTestNoon);
  WorkItem item = claim("me", kTestNoon).at(0);
  const CommitResult first = commit(
      item, "me", {summary_json(call_sid(1), "complete"), summary_json(call_sid(2), "partial")},
      "https://insights.twilio.com/v1/Voice/Summaries?Page=1");
  EXPECT_EQ(first.inserted, 2);
  EXPECT_EQ(first.partial_rows, 1);
  EXPECT_FALSE(first.pass_finished);
  EXPECT_THROW(commit(item, "me", {summary_json(call_sid(1), "complete")}), StaleWorkItemError)
      << "the same page again";

  item = *run_now(queue->reload(item.id, "me"));
  EXPECT_EQ(item.cursor, "https://insights.twilio.com/v1/Voice/Summaries?Page=1");
  EXPECT_EQ(item.pass_rows, 2);
  const CommitResult last = commit(item, "me", {summary_json(call_sid(3), "complete")});
  EXPECT_TRUE(last.pass_finished);

  item = *run_now(queue->reload(item.id, "me"));
  EXPECT_FALSE(item.cursor);
  EXPECT_EQ(item.passes_completed, 1);
  EXPECT_EQ(item.state, WorkState::open) << "its first full pass";
  EXPECT_TRUE(item.pass_undecided) << "read, not yet decided";
  EXPECT_EQ(item.pass_rows, 3);
  EXPECT_EQ(item.pass_partial_rows, 1);
}

TEST_P(WorkQueueContract, TheMergeNeverDowngradesAndIdenticalRowsWriteNothing) {
  const auto merge = [&](const std::string& summary) {
    return run_now(queue->merge_rows("main", parse_summaries_page(page_json({summary}))));
  };
  EXPECT_EQ(merge(summary_json(call_sid(1), "complete")).inserted, 1);
  EXPECT_EQ(merge(summary_json(call_sid(1), "complete")).unchanged, 1);
  EXPECT_EQ(merge(summary_json(call_sid(1), "partial")).downgrade_refused, 1);
  EXPECT_EQ(merge(summary_json(call_sid(1), "complete", R"("duration": 42)")).updated, 1);
  // Duplicates within one page collapse to one row, the complete one.
  const CommitResult page = run_now(queue->merge_rows(
      "main", parse_summaries_page(page_json(
                  {summary_json(call_sid(2), "complete"), summary_json(call_sid(2), "partial")}))));
  EXPECT_EQ(page.distinct_rows, 1);
  EXPECT_EQ(page.partial_rows, 0);
}

TEST_P(WorkQueueContract, FinishingAPassSetsItsStateAndDueTimeAndReleasesIt) {
  plan(WorkKind::live, {hour_ending(kTestNoon)}, kTestNoon);
  WorkItem item = claim("me", kTestNoon).at(0);
  commit(item, "me", {summary_json(call_sid(1), "complete")});
  ASSERT_TRUE(finish(item, "me", false, kTestNoon + hours(1), false, kTestNoon));
  EXPECT_TRUE(claim("me", kTestNoon + hours(1) - seconds(1)).empty());
  item = claim("me", kTestNoon + hours(1)).at(0);
  EXPECT_EQ(item.state, WorkState::open);
  EXPECT_FALSE(item.pass_undecided);
  EXPECT_EQ(item.pass_rows, 0) << "a new pass";
  EXPECT_EQ(item.pass_started_at, kTestNoon + hours(1));

  // Settled, its annotation pass due in 48 h; after that pass, never again.
  ASSERT_TRUE(finish(item, "me", true, kTestNoon + hours(49), false, kTestNoon + hours(1)));
  item = claim("me", kTestNoon + hours(49)).at(0);
  EXPECT_EQ(item.state, WorkState::settled);
  ASSERT_TRUE(finish(item, "me", true, kTestNoon + hours(49), true, kTestNoon + hours(49)));
  EXPECT_TRUE(claim("me", kTestNoon + days(100)).empty());
  EXPECT_FALSE(finish(item, "me", true, kTestNoon, true, kTestNoon)) << "no longer leased";
}

TEST_P(WorkQueueContract, ARetryKeepsTheLeaseAParkReleasesItUntilItsRetryTime) {
  plan(WorkKind::live, {hour_ending(kTestNoon)}, kTestNoon);
  WorkItem item = claim("me", kTestNoon).at(0);
  commit(item, "me", {summary_json(call_sid(1), "complete")},
         "https://insights.twilio.com/v1/Voice/Summaries?Page=1");
  // A refused page token: the holder retries from page one.
  ASSERT_TRUE(run_now(queue->record_failure(item.id, "me",
                                            FailedAttempt{.error = "21481",
                                                          .retry = true,
                                                          .lease_until = kTestNoon + minutes(5),
                                                          .restart_pass = true,
                                                          .now = kTestNoon + seconds(10)})));
  item = *run_now(queue->reload(item.id, "me"));
  EXPECT_FALSE(item.cursor);
  EXPECT_EQ(item.pass_started_at, kTestNoon + seconds(10));
  EXPECT_TRUE(claim("other", kTestNoon + minutes(4)).empty()) << "the lease was extended";

  const UtcSeconds retry_at = kTestNoon + minutes(30);
  ASSERT_TRUE(run_now(queue->record_failure(
      item.id, "me", FailedAttempt{.error = "bad page", .park = true, .due = retry_at})));
  EXPECT_FALSE(run_now(queue->reload(item.id, "me"))) << "released";
  EXPECT_TRUE(claim("other", retry_at - seconds(1)).empty());
  item = claim("other", retry_at).at(0);
  EXPECT_EQ(item.state, WorkState::parked);
  ASSERT_TRUE(finish(item, "other", false, retry_at + hours(1), false, retry_at));
  EXPECT_EQ(claim("other", retry_at + hours(1)).at(0).state, WorkState::open);
}

TEST_P(WorkQueueContract, APendingBackfillWindowIsReplacedByItsPieces) {
  const TimeWindow old = hour_ending(kTestNoon - hours(48));
  plan(WorkKind::backfill, {old}, kTestNoon);
  const WorkItem item = claim("me", kTestNoon).at(0);
  const std::vector<TimeWindow> pieces = {{old.start, old.start + minutes(30)},
                                          {old.start + minutes(30), old.end}};
  EXPECT_FALSE(run_now(queue->split_window(item.id, "other", pieces, kTestNoon)));
  ASSERT_TRUE(run_now(queue->split_window(item.id, "me", pieces, kTestNoon)));
  const auto claimed = claim("me", kTestNoon);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].window, pieces[0]);
  EXPECT_EQ(claimed[1].window, pieces[1]);
  EXPECT_EQ(claimed[0].kind, WorkKind::backfill);
}

TEST_P(WorkQueueContract, PartialRowsAreFoundByStartOrEndTimeAndCanBeMarkedExpired) {
  const std::string in_window =
      R"("start_time": "2026-11-20T11:10:00Z", "end_time": "2026-11-20T11:20:00Z")";
  const std::string ends_in_window =
      R"("start_time": "2026-11-20T10:50:00Z", "end_time": "2026-11-20T11:05:00Z")";
  const std::string outside =
      R"("start_time": "2026-11-20T09:00:00Z", "end_time": "2026-11-20T09:05:00Z")";
  run_now(queue->merge_rows("main", parse_summaries_page(page_json(
                                        {summary_json(call_sid(1), "partial", in_window),
                                         summary_json(call_sid(2), "complete", in_window),
                                         summary_json(call_sid(3), "partial", outside),
                                         summary_json(call_sid(4), "partial", ends_in_window)}))));
  const TimeWindow window = hour_ending(kTestNoon);
  const auto partial = run_now(queue->partial_calls_in("main", window, 10));
  ASSERT_EQ(partial.size(), 2u);
  EXPECT_EQ(partial[0].call_sid, call_sid(1));
  EXPECT_EQ(partial[1].call_sid, call_sid(4));
  // With the times the rows were stored with (the live edge plans its reads by them).
  EXPECT_EQ(partial[0].start_time, kTestNoon - minutes(50));  // in_window: 11:10..11:20
  EXPECT_EQ(partial[0].end_time, kTestNoon - minutes(40));
  const auto first = run_now(queue->partial_calls_in("main", window, 1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].call_sid, call_sid(1));
  EXPECT_EQ(run_now(queue->mark_retention_expired("main", window, kTestNoon + days(30))), 2);
  EXPECT_TRUE(run_now(queue->partial_calls_in("main", window, 10)).empty());
}

INSTANTIATE_TEST_SUITE_P(BothQueues, WorkQueueContract, ::testing::Values("postgres", "in_memory"),
                         [](const auto& test) { return test.param; });

}  // namespace
}  // namespace insights::testing
