// The scheduler (SourceSync) on the in-memory work queue, a fake API and a fake clock
// (tests/support/scheduler_harness.hpp): the partial → complete lifecycle, retries, parking,
// leases shared by two instances and taken over when they expire, database faults, busy-window
// splitting and stragglers — each in milliseconds, without PostgreSQL. The same behaviour
// against PostgreSQL and insights-sim: sim_sync_test, sync_faults_test, multi_instance_test.
#include <gtest/gtest.h>

#include "api/api_error.hpp"
#include "api/http_transport_error.hpp"
#include "api/page_parser.hpp"
#include "tests/support/run_now.hpp"
#include "tests/support/scheduler_harness.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/test_noon.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;
const TimeWindow kTenToEleven{kTestNoon - hours(2), kTestNoon - hours(1)};

using Stored = InMemoryWorkQueue::StoredItem;

const Stored& item_for(const std::vector<Stored>& items, const TimeWindow& window) {
  for (const auto& stored : items) {
    if (stored.item.window.start == window.start && stored.item.window.end == window.end)
      return stored;
  }
  throw std::runtime_error("no work item for the window");
}

Stored window_item(const InMemoryWorkQueue& queue, const TimeWindow& window) {
  return item_for(queue.items(), window);
}

int rows_in_state(const InMemoryWorkQueue& queue, const std::string& state) {
  int count = 0;
  for (const auto& [sid, row] : queue.rows())
    count += row.processing_state == state ? 1 : 0;
  return count;
}

// Calls evenly spread over `window`, each lasting five minutes.
void put_calls(FakeSummariesApi& api, const TimeWindow& window, int count, bool complete,
               int first = 0) {
  const auto step = (window.end - window.start) / count;
  for (int i = 0; i < count; ++i) {
    const UtcSeconds start = window.start + step * i;
    api.put(call_sid(first + i), start, start + minutes(5), complete);
  }
}

TEST(SchedulerTest, PartialRowsCompleteOnLaterPassesAndTheWindowSettlesAfterItsHorizon) {
  SchedulerHarness sync(kTestNoon);
  put_calls(sync.api, kTenToEleven, 10, true);
  sync.api.put(call_sid(99), kTestNoon - minutes(80), kTestNoon - minutes(70),
               false);  // ends 10:50

  sync.sync_once();
  EXPECT_EQ(sync.queue.items().size(), 4u) << "09:00 .. 13:00 in one-hour windows";
  Stored window = window_item(sync.queue, kTenToEleven);
  EXPECT_EQ(window.item.state, WorkState::open);
  EXPECT_EQ(window.item.passes_completed, 1);
  EXPECT_EQ(sync.queue.rows().at(call_sid(99)).processing_state, "partial");
  // Its partial row was due to complete already (end + completion_delay = 11:25): read again
  // after one poll interval rather than at the next re-read.
  EXPECT_EQ(window.next_due, kTestNoon + seconds(sync.options.poll_interval_seconds));

  sync.api.complete(call_sid(99));
  sync.clock.set(kTestNoon + minutes(30));
  sync.sync_once();
  EXPECT_EQ(sync.queue.rows().at(call_sid(99)).processing_state, "complete");
  EXPECT_EQ(window_item(sync.queue, kTenToEleven).item.state, WorkState::open)
      << "not before its horizon: calls may still appear";

  sync.clock.set(kTenToEleven.end + minutes(sync.options.settle_after_minutes) + minutes(1));
  sync.sync_once();
  window = window_item(sync.queue, kTenToEleven);
  EXPECT_EQ(window.item.state, WorkState::settled);
  EXPECT_FALSE(window.annotation_pass_done) << "more passes for late annotations";
  EXPECT_EQ(window.next_due, kTenToEleven.end + minutes(sync.options.settle_after_minutes) +
                                 hours(sync.options.annotation_pass_after_hours));
  EXPECT_EQ(rows_in_state(sync.queue, "complete"), 11);

  // The first annotation pass; the next is a day later.
  const UtcSeconds first_annotation_pass = window.next_due;
  sync.clock.set(first_annotation_pass);
  sync.sync_once();
  window = window_item(sync.queue, kTenToEleven);
  EXPECT_EQ(window.item.state, WorkState::settled);
  EXPECT_FALSE(window.annotation_pass_done);
  EXPECT_EQ(window.next_due, first_annotation_pass + hours(24));

  // Read after the last one (an hour before Twilio's retention ends): nothing more.
  sync.clock.set(kTenToEleven.start + days(30) - minutes(30));
  sync.sync_once();
  window = window_item(sync.queue, kTenToEleven);
  EXPECT_EQ(window.item.state, WorkState::settled);
  EXPECT_TRUE(window.annotation_pass_done);
}

TEST(SchedulerTest, ACompleteRowIsNeverReplacedByALaterPartialOne) {
  SchedulerHarness sync(kTestNoon);
  sync.api.put(call_sid(1), kTenToEleven.start, kTenToEleven.start + minutes(3), true);
  sync.sync_once();
  // Twilio lists a stale partial version again.
  sync.api.put(call_sid(1), kTenToEleven.start, kTenToEleven.start + minutes(3), false);
  sync.clock.set(kTestNoon + minutes(15));
  const SourceSyncReport report = sync.sync_once();
  EXPECT_EQ(sync.queue.rows().at(call_sid(1)).processing_state, "complete");
  EXPECT_EQ(sync.queue.rows().at(call_sid(1)).writes, 1);
  EXPECT_EQ(report.rows_updated, 0);
}

TEST(SchedulerTest, TransientApiErrorsAreRetriedAndEveryRowLands) {
  SchedulerHarness sync(kTestNoon);
  put_calls(sync.api, kTenToEleven, 30, true);
  sync.api.fail_next([] { throw HttpTransportError(TransportFailure::reset, "injected reset"); },
                     3);
  const SourceSyncReport report = sync.sync_once();
  EXPECT_EQ(report.windows_given_up, 0);
  EXPECT_EQ(report.windows_parked, 0);
  EXPECT_EQ(sync.queue.rows().size(), 30u);
  for (const auto& stored : sync.queue.items()) {
    EXPECT_EQ(stored.attempts, 0) << "a pass that lands clears the failures";
    EXPECT_FALSE(stored.last_error);
    EXPECT_FALSE(stored.lease_owner);
  }
}

TEST(SchedulerTest, APageThatNeverParsesParksItsWindowWhichIsTriedAgainWhenDue) {
  SchedulerHarness sync(kTestNoon);
  sync.options.initial_lookback_hours = 0;  // one window: 12:00 .. 13:00
  sync.options.park_after_attempts = 3;
  sync.concurrency = 1;
  const TimeWindow now_window{kTestNoon, kTestNoon + hours(1)};
  sync.api.put(call_sid(1), kTestNoon + minutes(1), kTestNoon + minutes(2), true);
  sync.api.fail_next([] { throw PageFormatError("items[0]: not an object"); }, 3);

  SourceSyncReport report = sync.sync_once();
  EXPECT_EQ(report.windows_parked, 1);
  Stored window = window_item(sync.queue, now_window);
  EXPECT_EQ(window.item.state, WorkState::parked);
  EXPECT_EQ(window.attempts, 3);
  ASSERT_TRUE(window.last_error);
  EXPECT_NE(window.last_error->find("not an object"), std::string::npos);
  EXPECT_EQ(window.next_due, kTestNoon + seconds(sync.options.parked_retry_seconds));
  EXPECT_TRUE(sync.queue.rows().empty());

  sync.clock.set(window.next_due - seconds(1));
  sync.sync_once();
  EXPECT_EQ(sync.api.list_requests(), 3) << "not claimed before its retry time";

  sync.clock.set(window.next_due);
  report = sync.sync_once();
  window = window_item(sync.queue, now_window);
  EXPECT_EQ(window.item.state, WorkState::open);
  EXPECT_EQ(window.attempts, 0);
  EXPECT_EQ(sync.queue.rows().size(), 1u);
}

TEST(SchedulerTest, OnceGivesAWindowUpAfterItsAttemptsAndLeavesItDue) {
  SchedulerHarness sync(kTestNoon);
  sync.options.initial_lookback_hours = 0;
  sync.options.once_attempts = 2;
  sync.concurrency = 1;
  sync.api.fail_next([] { throw HttpTransportError(TransportFailure::reset, "injected"); }, 2);
  const SourceSyncReport report = sync.sync_once();
  EXPECT_EQ(report.windows_given_up, 1);
  const Stored window = window_item(sync.queue, {kTestNoon, kTestNoon + hours(1)});
  EXPECT_EQ(window.item.state, WorkState::pending);
  EXPECT_LE(window.next_due, kTestNoon) << "due for the next run";
  EXPECT_FALSE(window.lease_owner);
}

TEST(SchedulerTest, AnAccountThatRefusesTheCredentialsStopsTheSource) {
  SchedulerHarness sync(kTestNoon);
  sync.api.fail_next(
      [] {
        throw api_error_from_response(ApiEndpoint::list, 401,
                                      R"({"code": 20003, "message": "Authenticate"})", "test");
      },
      1);
  const SourceSyncReport report = sync.sync_once();
  ASSERT_TRUE(report.fatal_error);
  EXPECT_FALSE(report.database_unavailable);
  EXPECT_TRUE(sync.queue.rows().empty());
}

TEST(SchedulerTest, DatabaseFaultsAtCommitAreRetriedAndNoRowIsLostOrDuplicated) {
  SchedulerHarness sync(kTestNoon);
  sync.api.page_size = 5;
  put_calls(sync.api, kTenToEleven, 23, true);
  sync.queue.fail_next(3, "commit page");
  const SourceSyncReport report = sync.sync_once();
  EXPECT_EQ(report.windows_given_up, 0);
  EXPECT_EQ(sync.queue.rows().size(), 23u);
  for (const auto& [sid, row] : sync.queue.rows())
    EXPECT_EQ(row.writes, 1) << sid;
  EXPECT_EQ(window_item(sync.queue, kTenToEleven).item.pass_rows, 23);
}

TEST(SchedulerTest, TwoInstancesShareTheWindowsAndReadEachOnce) {
  SchedulerHarness sync(kTestNoon);
  sync.options.initial_lookback_hours = 12;
  put_calls(sync.api, {kTestNoon - hours(12), kTestNoon}, 120, true);
  const auto reports = sync.sync_once_as({"a", "b"});
  EXPECT_GT(reports[0].passes_finished, 0);
  EXPECT_GT(reports[1].passes_finished, 0);
  EXPECT_EQ(reports[0].passes_finished + reports[1].passes_finished, 13);
  for (const auto& stored : sync.queue.items())
    EXPECT_EQ(stored.item.passes_completed, 1);
  EXPECT_EQ(sync.queue.rows().size(), 120u);
}

TEST(SchedulerTest, AnExpiredLeaseIsTakenOverAndThePassResumesAtItsCursor) {
  SchedulerHarness sync(kTestNoon);
  sync.options.initial_lookback_hours = 0;
  sync.api.page_size = 2;
  const TimeWindow now_window{kTestNoon, kTestNoon + hours(1)};
  put_calls(sync.api, now_window, 6, true);
  // A dead instance claimed the window and committed its first page.
  run_now(sync.queue.add_windows("sim", WorkKind::live, {{now_window, kTestNoon}}));
  ClaimRequest claim;
  claim.source = "sim";
  claim.owner = "dead";
  claim.now = kTestNoon;
  const WorkItem held = run_now(sync.queue.claim_due(claim)).at(0);
  WindowRequest request;
  request.start = now_window.start;
  request.end = now_window.end;
  Page first = run_now(sync.api.list_page(request, std::nullopt));
  run_now(sync.queue.commit_page({held.id, 0, std::nullopt, std::string("dead")}, std::move(first),
                                 std::nullopt));
  const int requests_before = sync.api.list_requests();

  sync.clock.set(kTestNoon + seconds(30));
  sync.sync_once();
  EXPECT_EQ(sync.api.list_requests(), requests_before) << "still leased: left alone";

  sync.clock.set(kTestNoon + seconds(61));
  sync.sync_once();
  EXPECT_EQ(sync.api.list_requests(), requests_before + 2) << "resumed at page 2 of 3";
  const Stored window = window_item(sync.queue, now_window);
  EXPECT_EQ(window.item.passes_completed, 1);
  EXPECT_EQ(window.item.pass_rows, 6);
  EXPECT_EQ(sync.queue.rows().size(), 6u);
}

TEST(SchedulerTest, ABusyBackfillWindowIsSplitAndEveryPieceIsRead) {
  SchedulerHarness sync(kTestNoon);
  sync.api.page_size = 10;
  const TimeWindow old{kTestNoon - hours(50), kTestNoon - hours(49)};
  put_calls(sync.api, old, 240, true);
  sync.queue.request_passes("sim", old, kTestNoon);  // nothing there yet: no effect
  run_now(sync.queue.add_windows("sim", WorkKind::backfill, {{old, kTestNoon}}));
  sync.only_within = old;
  const SourceSyncReport report = sync.sync_once();
  EXPECT_GE(report.windows_split, 1);
  EXPECT_EQ(sync.queue.rows().size(), 240u);
  for (const auto& stored : sync.queue.items()) {
    EXPECT_EQ(stored.item.kind, WorkKind::backfill);
    EXPECT_LT(stored.item.window.end - stored.item.window.start, hours(1)) << "split";
  }
}

TEST(SchedulerTest, AFewStragglersPastTheHorizonAreFetchedOneByOne) {
  SchedulerHarness sync(kTestNoon);
  put_calls(sync.api, kTenToEleven, 2500, true);  // three pages of 1000
  sync.api.put(call_sid(9999), kTenToEleven.start + minutes(50), kTenToEleven.start + minutes(55),
               true);
  sync.api.list_as_partial(call_sid(9999));  // the list still shows it partial
  // Its first read is past its horizon (a backfill): the one partial row is fetched on its own.
  const UtcSeconds late = kTenToEleven.end + minutes(sync.options.settle_after_minutes + 5);
  sync.clock.set(late);
  run_now(sync.queue.add_windows("sim", WorkKind::backfill, {{kTenToEleven, late}}));
  sync.only_within = kTenToEleven;

  const SourceSyncReport report = sync.sync_once();
  EXPECT_EQ(report.stragglers_fetched, 1);
  EXPECT_EQ(sync.api.single_requests(), 1);
  EXPECT_EQ(sync.api.list_requests(), 3) << "one pass, no re-read";
  EXPECT_EQ(sync.queue.rows().at(call_sid(9999)).processing_state, "complete");
  EXPECT_EQ(window_item(sync.queue, kTenToEleven).item.state, WorkState::settled);
}

}  // namespace
}  // namespace insights::testing
