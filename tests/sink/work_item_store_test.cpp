// The work queue against a real PostgreSQL: planning is idempotent, claims honour due times
// and leases, concurrent claimers never get the same window (FOR UPDATE SKIP LOCKED), expired
// leases are taken over, and the sink refuses a page from an instance that lost its lease.
#include "sink/work_item_store.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>

#include "api/page_parser.hpp"
#include "daemon/window_planner.hpp"
#include "sink/pg_sink.hpp"
#include "sink/work_queue.hpp"
#include "tests/support/planned_windows.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;

using insights::testing::planned;

std::vector<TimeWindow> hours_before(UtcSeconds end, int count) {
  std::vector<TimeWindow> windows;
  for (int i = count; i > 0; --i)
    windows.push_back({end - hours(i), end - hours(i - 1)});
  return windows;
}

class WorkQueueTest : public testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    queue = std::make_unique<WorkItemStore>(db->conninfo());
    queue->register_source("main", testing::kSimAccount);
  }

  ClaimRequest claim(const std::string& owner, UtcSeconds now, int limit) {
    return {.source = "main",
            .owner = owner,
            .now = now,
            .lease_seconds = 60,
            .limit = limit,
            .exclude = {},
            .kind = {},
            .within = {}};
  }

  std::unique_ptr<WorkItemStore> queue;
};

TEST_F(WorkQueueTest, AddingWindowsIsIdempotent) {
  EXPECT_EQ(
      queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 3), kTestNoon)),
      3);
  EXPECT_EQ(queue->add_windows("main", WorkKind::live,
                               planned(hours_before(kTestNoon + hours(1), 3), kTestNoon)),
            1);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items"), "4");
  EXPECT_EQ(queue->latest_window_end("main", WorkKind::live), kTestNoon + hours(1));
  EXPECT_EQ(queue->latest_window_end("main", WorkKind::backfill), std::nullopt);
}

TEST_F(WorkQueueTest, ClaimsOnlyDueUnleasedWindowsNewestLiveWindowFirst) {
  queue->add_windows("main", WorkKind::live,
                     planned(hours_before(kTestNoon + hours(1), 3), kTestNoon));
  EXPECT_TRUE(queue->claim_due(claim("a", kTestNoon - seconds(1), 5)).empty());  // not due yet
  const auto first = queue->claim_due(claim("a", kTestNoon + minutes(5), 1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].window.start, kTestNoon);  // the window holding "now" comes first
  EXPECT_EQ(first[0].pass_started_at, kTestNoon + minutes(5));
  const auto rest = queue->claim_due(claim("b", kTestNoon + minutes(5), 5));
  EXPECT_EQ(rest.size(), 2u);  // the leased one is not offered again
  EXPECT_TRUE(queue->claim_due(claim("c", kTestNoon + minutes(5), 5)).empty());
}

TEST_F(WorkQueueTest, ConcurrentClaimersNeverShareAWindow) {
  queue->add_windows("main", WorkKind::live,
                     planned(hours_before(kTestNoon, 40), kTestNoon - hours(50)));
  std::vector<std::future<std::vector<WorkItem>>> claimers;
  for (int i = 0; i < 4; ++i) {
    claimers.push_back(std::async(std::launch::async, [this, i] {
      WorkItemStore own(db->conninfo());
      std::vector<WorkItem> mine;
      for (int round = 0; round < 10; ++round) {
        auto got = own.claim_due(claim("instance-" + std::to_string(i), kTestNoon, 2));
        mine.insert(mine.end(), got.begin(), got.end());
      }
      return mine;
    }));
  }
  std::set<long long> seen;
  std::size_t total = 0;
  for (auto& claimer : claimers) {
    for (const auto& item : claimer.get()) {
      EXPECT_TRUE(seen.insert(item.id).second) << "window " << item.id << " claimed twice";
      ++total;
    }
  }
  EXPECT_EQ(total, 40u);
}

TEST_F(WorkQueueTest, AnExpiredLeaseIsTakenOverAndTheOldHolderCannotCommit) {
  queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 1), kTestNoon));
  const auto held = queue->claim_due(claim("old", kTestNoon, 1));
  ASSERT_EQ(held.size(), 1u);
  EXPECT_TRUE(queue->claim_due(claim("new", kTestNoon + seconds(59), 1)).empty());
  const auto taken = queue->claim_due(claim("new", kTestNoon + seconds(61), 1));
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_FALSE(queue->renew_lease(held[0].id, "old", kTestNoon + hours(1)));

  PgSink sink(PgSinkOptions{.conninfo = db->conninfo(), .before_step = {}});
  const Page page = parse_summaries_page(
      testing::page_json({testing::summary_json(testing::call_sid(1), "complete")}));
  EXPECT_THROW(sink.commit_page({held[0].id, 0, std::nullopt, std::string("old")}, page),
               StaleWorkItemError);
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "0");
  // The holder's commit renews its lease in the same transaction.
  sink.commit_page({taken[0].id, 0, std::nullopt, std::string("new")}, page, kTestNoon + hours(2));
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "1");
  EXPECT_EQ(scalar("SELECT lease_expires_at = '" + format_utc(kTestNoon + hours(2)) +
                   "' FROM work_items"),
            "t");
}

TEST_F(WorkQueueTest, APassWhoseLastPageLandedButWasNotDecidedIsDecidedNotReadAgain) {
  queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 1), kTestNoon));
  const auto held = queue->claim_due(claim("me", kTestNoon, 1)).at(0);
  EXPECT_FALSE(held.pass_undecided);
  PgSink sink(PgSinkOptions{.conninfo = db->conninfo(), .before_step = {}});
  const Page page = parse_summaries_page(
      testing::page_json({testing::summary_json(testing::call_sid(1), "complete"),
                          testing::summary_json(testing::call_sid(2), "partial")}));
  sink.commit_page({held.id, 0, std::nullopt, std::string("me")}, page);  // the last page
  // ... and the process dies before finish_pass. The next claim, later:
  ASSERT_EQ(queue->release_leases("me"), 1);
  const auto again = queue->claim_due(claim("me", kTestNoon + minutes(5), 1)).at(0);
  EXPECT_TRUE(again.pass_undecided);
  EXPECT_EQ(again.passes_completed, 1);
  EXPECT_EQ(again.pass_rows, 2);
  EXPECT_EQ(again.pass_partial_rows, 1);
  EXPECT_EQ(again.pass_started_at, kTestNoon);  // when the pass really began
  ASSERT_TRUE(queue->finish_pass(
      again.id, "me", FinishedPass{false, kTestNoon + hours(1), false, kTestNoon + minutes(5)}));
  const auto next = queue->claim_due(claim("me", kTestNoon + hours(1), 1)).at(0);
  EXPECT_FALSE(next.pass_undecided);
  EXPECT_EQ(next.pass_rows, 0);  // a new pass
  EXPECT_EQ(next.pass_started_at, kTestNoon + hours(1));
}

TEST_F(WorkQueueTest, ARestartedInstanceTakesItsOwnLeasesBackAtOnce) {
  queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 2), kTestNoon));
  ASSERT_EQ(queue->claim_due(claim("me", kTestNoon, 2)).size(), 2u);
  EXPECT_EQ(queue->release_leases("me"), 2);
  EXPECT_EQ(queue->claim_due(claim("me", kTestNoon, 2)).size(), 2u);
}

TEST_F(WorkQueueTest, SettledWindowsComeBackOnceForTheirAnnotationPass) {
  queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 1), kTestNoon));
  auto item = queue->claim_due(claim("me", kTestNoon, 1)).at(0);
  ASSERT_TRUE(queue->finish_pass(item.id, "me",
                                 FinishedPass{true, kTestNoon + hours(48), false, kTestNoon}));
  EXPECT_TRUE(queue->claim_due(claim("me", kTestNoon + hours(47), 1)).empty());
  item = queue->claim_due(claim("me", kTestNoon + hours(48), 1)).at(0);
  EXPECT_EQ(item.state, WorkState::settled);
  ASSERT_TRUE(queue->finish_pass(
      item.id, "me", FinishedPass{true, kTestNoon + hours(48), true, kTestNoon + hours(48)}));
  EXPECT_TRUE(queue->claim_due(claim("me", kTestNoon + hours(100), 1)).empty());
}

TEST_F(WorkQueueTest, FailuresAreCountedAndParkingStopsClaimsUntilTheRetryTime) {
  queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 1), kTestNoon));
  auto item = queue->claim_due(claim("me", kTestNoon, 1)).at(0);
  ASSERT_TRUE(queue->record_failure(
      item.id, "me",
      FailedAttempt{.error = "first", .retry = true, .lease_until = kTestNoon + minutes(2)}));
  const UtcSeconds retry_at = kTestNoon + minutes(30);
  ASSERT_TRUE(queue->record_failure(
      item.id, "me", FailedAttempt{.error = "bad page", .park = true, .due = retry_at}));
  EXPECT_EQ(scalar("SELECT state || ' ' || attempts || ' ' || last_error FROM work_items"),
            "parked 2 bad page");
  EXPECT_TRUE(queue->claim_due(claim("other", retry_at - seconds(1), 1)).empty());

  // At its retry time it is claimed (still parked, its error kept) like any due window.
  auto again = queue->claim_due(claim("other", retry_at, 1));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, item.id);
  EXPECT_EQ(again[0].state, WorkState::parked);
  EXPECT_EQ(scalar("SELECT state || ' ' || last_error FROM work_items"), "parked bad page");
  EXPECT_TRUE(queue->claim_due(claim("third", retry_at + seconds(30), 1)).empty())
      << "leased (for 60 s): nobody else takes it";

  // Parked again: not before the next retry time.
  ASSERT_TRUE(queue->record_failure(
      item.id, "other",
      FailedAttempt{.error = "still bad", .park = true, .due = retry_at + hours(1)}));
  EXPECT_TRUE(queue->claim_due(claim("me", retry_at + minutes(59), 1)).empty());
  again = queue->claim_due(claim("me", retry_at + hours(1), 1));
  ASSERT_EQ(again.size(), 1u);

  // A pass that lands ends the parking: open, error cleared, failures reset.
  ASSERT_TRUE(queue->finish_pass(
      item.id, "me", FinishedPass{false, retry_at + hours(2), false, retry_at + hours(1)}));
  EXPECT_EQ(scalar("SELECT state || ' ' || attempts || ' ' || coalesce(last_error, '-')"
                   " FROM work_items"),
            "open 0 -");
}

TEST_F(WorkQueueTest, AWindowParkedWithNoRetryIsNeverClaimedAgain) {
  queue->add_windows("main", WorkKind::live, planned(hours_before(kTestNoon, 1), kTestNoon));
  const auto item = queue->claim_due(claim("me", kTestNoon, 1)).at(0);
  // parked_retry_seconds = 0 stores kNeverDue (daemon/window_planner.hpp).
  ASSERT_TRUE(queue->record_failure(
      item.id, "me", FailedAttempt{.error = "bad page", .park = true, .due = kNeverDue}));
  EXPECT_TRUE(queue->claim_due(claim("me", kTestNoon + days(3650), 1)).empty());
  // Another process may read next_due_at as epoch seconds: still a number.
  EXPECT_EQ(scalar("SELECT extract(epoch FROM next_due_at)::bigint FROM work_items"),
            std::to_string(kNeverDue.time_since_epoch().count()));
}

TEST_F(WorkQueueTest, PartialRowsOfAWindowAreFoundAndCanBeMarkedExpired) {
  const long long id = create_work_item("main", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z");
  PgSink sink(PgSinkOptions{.conninfo = db->conninfo(), .before_step = {}});
  const std::string in_window =
      R"("start_time": "2026-11-20T11:10:00Z", "end_time": "2026-11-20T11:20:00Z")";
  const std::string outside =
      R"("start_time": "2026-11-20T09:00:00Z", "end_time": "2026-11-20T09:05:00Z")";
  sink.commit_page({id, 0, std::nullopt, std::nullopt},
                   parse_summaries_page(testing::page_json(
                       {testing::summary_json(testing::call_sid(1), "partial", in_window),
                        testing::summary_json(testing::call_sid(2), "complete", in_window),
                        testing::summary_json(testing::call_sid(3), "partial", outside)})));
  const TimeWindow window{kTestNoon - hours(1), kTestNoon};
  const auto partial = queue->partial_calls_in("main", window, 10);
  ASSERT_EQ(partial.size(), 1u);
  EXPECT_EQ(partial[0].call_sid, testing::call_sid(1));
  EXPECT_EQ(queue->mark_retention_expired("main", window, kTestNoon + days(30)), 1);
  EXPECT_TRUE(queue->partial_calls_in("main", window, 10).empty());
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries WHERE retention_expired_at IS NOT NULL"),
            "1");
}

// The newest call of each source, for insights_source_newest_call_age_seconds: each source's own
// newest start_time (not the table's), and no entry for a source without rows.
TEST_F(WorkQueueTest, TheCensusHasEachSourcesNewestCallAndNoneForASourceWithoutRows) {
  const long long main_window =
      create_work_item("main", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z");
  const long long second_window =
      create_work_item("second", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z");
  queue->register_source("empty", testing::kSimAccount);
  PgSink sink(PgSinkOptions{.conninfo = db->conninfo(), .before_step = {}});
  sink.commit_page({main_window, 0, std::nullopt, std::nullopt},
                   parse_summaries_page(testing::page_json(
                       {testing::summary_json(testing::call_sid(1), "complete",
                                              testing::started_at("2026-11-20T11:50:30Z")),
                        testing::summary_json(testing::call_sid(2), "partial",
                                              testing::started_at("2026-11-20T11:10:00Z"))})));
  sink.commit_page({second_window, 0, std::nullopt, std::nullopt},
                   parse_summaries_page(testing::page_json(
                       {testing::summary_json(testing::call_sid(3), "complete",
                                              testing::started_at("2026-11-20T09:15:00Z")),
                        testing::summary_json(testing::call_sid(4), "complete",
                                              testing::started_at("2026-11-20T09:40:00Z"))})));

  const WarehouseCensus census = queue->census(kTestNoon);
  EXPECT_EQ(census.newest_call_start,
            (std::map<std::string, UtcSeconds>{{"main", kTestNoon - minutes(9) - seconds(30)},
                                               {"second", kTestNoon - hours(2) - minutes(20)}}));
  EXPECT_FALSE(census.newest_call_start.contains("empty"));
}

}  // namespace
}  // namespace insights
