// Backfills against the real insights-sim over TLS and a real PostgreSQL: several days land
// exactly the truth, enqueueing the same range again re-reads without duplicating anything,
// a busy window is split and still lands every call, and a quiet one is not split by an API
// answering one item a page — for both time fields Twilio's filter might use.
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "sim/list_page.hpp"
#include "sink/backfill_requests.hpp"
#include "sink/work_item_store.hpp"
#include "tests/support/running_sim.hpp"
#include "tests/support/sync_harness.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using testing::FakeClock;
using testing::RunningSim;
using testing::SyncHarnessOptions;

using insights::testing::kTestNoon;

class BackfillSyncTest : public testing::PgTest,
                         public ::testing::WithParamInterface<sim::TimeFilterField> {
 protected:
  void start_sim(int calls_per_hour, int max_page_items = 0,
                 const std::function<void(sim::GeneratorOptions&)>& adjust = {}) {
    sim::SimServiceOptions service;
    service.time_filter = GetParam();
    service.max_page_items = max_page_items;
    sim::GeneratorOptions data;
    data.seed = 23;
    data.calls_per_hour = calls_per_hour;
    if (adjust)
      adjust(data);
    sim = std::make_unique<RunningSim>(data, service, kTestNoon);
    WorkItemStore(db->conninfo()).register_source("sim", testing::kSimAccount);
  }

  long long enqueue(TimeWindow range) {
    return enqueue_backfill(*pg, BackfillSpec{.source = "sim",
                                              .range = range,
                                              .window_minutes = 60,
                                              .now = kTestNoon,
                                              .requested_by = "test"})
        .id;
  }

  // `backfill --run`: only the windows of the range, no live tail.
  SourceSyncReport run_backfill(TimeWindow range, int split_above_pages = 4) {
    SyncHarnessOptions options = testing::harness_for(*sim, db->conninfo(), clock, 0);
    options.only_within = range;
    options.sync.split_above_pages = split_above_pages;
    return testing::sync_once(options);
  }

  BackfillProgress progress(long long id) { return read_backfill_progress(*pg, {id}).at(0); }

  // A backfill of kThreeHours in hour windows split above two pages: how the run ended and how
  // far the backfill got.
  static inline const TimeWindow kThreeHours{kTestNoon - hours(10), kTestNoon - hours(7)};
  std::pair<SourceSyncReport, BackfillProgress> backfill_three_hours(int calls_per_hour,
                                                                     int max_page_items = 0) {
    start_sim(calls_per_hour, max_page_items);
    const long long id = enqueue(kThreeHours);
    SourceSyncReport report = run_backfill(kThreeHours, 2);
    return {std::move(report), progress(id)};
  }

  void expect_equals_truth(TimeWindow range) {
    const char* field = GetParam() == sim::TimeFilterField::start_time ? "start_time" : "end_time";
    EXPECT_TRUE(testing::stored_equals_truth(*pg, sim->truth(range.start, range.end), field,
                                             range.start, range.end));
  }

  FakeClock clock{kTestNoon};
  std::unique_ptr<RunningSim> sim;
};

TEST_P(BackfillSyncTest, SeveralDaysLandExactlyTheTruthAndAgainWithoutDuplicates) {
  start_sim(200);
  const TimeWindow range{kTestNoon - days(3), kTestNoon - hours(6)};
  const long long first = enqueue(range);
  const SourceSyncReport report = run_backfill(range);
  ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
  EXPECT_EQ(report.windows_parked + report.windows_given_up, 0);
  const BackfillProgress done = progress(first);
  EXPECT_TRUE(done.done()) << done.windows_done << "/" << done.windows;
  EXPECT_EQ(done.windows, 66);
  // Nothing outside the range was read: no live windows, no other work.
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE kind <> 'backfill'"), "0");
  expect_equals_truth(range);
  // Old windows settle on their first pass; the next read is the first annotation pass due
  // after it (24, 48 or 72 h past the horizon), not those already passed.
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'settled'"
                   " AND passes_completed = 1"),
            "66");
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE annotation_pass_done"), "0");
  const std::string next_pass =
      "SELECT count(*) FROM work_items WHERE next_due_at = window_end + interval '5 hours' + ";
  EXPECT_EQ(scalar(next_pass + "interval '72 hours'"), "19");
  EXPECT_EQ(scalar(next_pass + "interval '48 hours'"), "24");
  EXPECT_EQ(scalar(next_pass + "interval '24 hours'"), "23");
  const std::string rows = scalar("SELECT count(*) FROM call_summaries");

  // The same range again: every window read once more, not one row added or changed.
  const long long second = enqueue(range);
  const SourceSyncReport again = run_backfill(range);
  EXPECT_TRUE(progress(second).done());
  EXPECT_EQ(again.rows_inserted, 0);
  EXPECT_EQ(again.rows_updated, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), rows);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE passes_completed = 2"), "66");
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items"), "66");
  expect_equals_truth(range);
}

TEST_P(BackfillSyncTest, ABusyWindowIsSplitAndItsPiecesLandEveryCall) {
  const auto [report, done] = backfill_three_hours(5000);  // five pages an hour
  ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
  EXPECT_EQ(report.windows_split, 3);
  EXPECT_TRUE(done.done()) << done.windows_done << "/" << done.windows;
  EXPECT_GT(done.windows, 3);
  // The pieces cover the range exactly: no gap, no overlap.
  EXPECT_EQ(scalar("SELECT sum(extract(epoch FROM window_end - window_start))::bigint"
                   " FROM work_items"),
            std::to_string(3 * 3600));
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items a JOIN work_items b ON a.id < b.id"
                   " AND a.window_start < b.window_end AND b.window_start < a.window_end"),
            "0");
  EXPECT_EQ(scalar("SELECT max(pass_pages) <= 2 FROM work_items"), "t");
  expect_equals_truth(kThreeHours);
}

TEST_P(BackfillSyncTest, AServerAnsweringOneItemAPageDoesNotGetAQuietWindowSplit) {
  // A handful of calls an hour, one a page whatever PageSize asks.
  const auto [report, done] = backfill_three_hours(6, 1);
  ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
  EXPECT_EQ(report.windows_split, 0);
  EXPECT_TRUE(done.done()) << done.windows_done << "/" << done.windows;
  EXPECT_EQ(done.windows, 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items"), "3");
  // The pages really held one call each: as many pages as calls were served, at least.
  const long long calls = std::stoll(scalar("SELECT count(*) FROM call_summaries"));
  EXPECT_GT(calls, 3);
  EXPECT_GE(sim->stats().counter("pages"), calls);
  expect_equals_truth(kThreeHours);
}

TEST_P(BackfillSyncTest, AnnotationsEditedAtAnyAgeWithinRetentionLand) {
  // Every call annotated, each edited 1 to 3 times at ages from an hour to 29 days. No calls
  // lasting hours: with the end-time filter one could start over 30 days before the last pass,
  // out of Twilio's retention and so out of the truth, while the warehouse keeps it.
  start_sim(60, 0, [](sim::GeneratorOptions& data) {
    data.annotation_edit_fraction = 1.0;
    data.long_call_fraction = 0.0;
  });
  const TimeWindow window{kTestNoon - hours(7), kTestNoon - hours(6)};
  enqueue(window);
  ASSERT_FALSE(run_backfill(window).fatal_error);
  expect_equals_truth(window);

  // Each annotation pass when it is due: the warehouse then equals the truth of that moment,
  // and the passes at about 2, 10 and 29 days after the window found edits made since the one
  // before.
  std::vector<std::pair<hours, long long>> updated_at_age;
  long long updated_before = std::stoll(scalar("SELECT rows_updated FROM work_items"));
  while (scalar("SELECT annotation_pass_done FROM work_items") == "f" &&
         updated_at_age.size() < 10) {
    const UtcSeconds due(
        seconds(std::stoll(scalar("SELECT extract(epoch FROM next_due_at)::bigint"
                                  " FROM work_items"))));
    clock.set(due);
    sim->set_time(due);
    const SourceSyncReport report = run_backfill(window);
    ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
    ASSERT_EQ(report.passes_finished, 1) << "at " << format_utc(due);
    expect_equals_truth(window);
    const long long updated = std::stoll(scalar("SELECT rows_updated FROM work_items"));
    updated_at_age.emplace_back(duration_cast<hours>(due - window.end), updated - updated_before);
    updated_before = updated;
  }
  ASSERT_EQ(updated_at_age.size(), 7u) << "3 daily, 3 weekly, 1 before retention";
  EXPECT_EQ(updated_at_age[1].first, hours(5 + 48));           // about 2 days
  EXPECT_EQ(updated_at_age[3].first, hours(5 + 72 + 7 * 24));  // about 10 days
  EXPECT_EQ(updated_at_age[6].first, hours(30 * 24 - 2));      // an hour before retention
  for (const std::size_t pass : {1u, 3u, 6u})
    EXPECT_GT(updated_at_age[pass].second, 0) << "pass " << pass << " found no edit";
}

INSTANTIATE_TEST_SUITE_P(BothTimeFields, BackfillSyncTest,
                         ::testing::Values(sim::TimeFilterField::start_time,
                                           sim::TimeFilterField::end_time),
                         [](const auto& param_info) {
                           return param_info.param == sim::TimeFilterField::start_time
                                      ? std::string("start_time")
                                      : std::string("end_time");
                         });

}  // namespace
}  // namespace insights
