// The sync engine against the real insights-sim over TLS and a real PostgreSQL: the warehouse
// converges to the sim's truth field by field while calls go partial → complete → annotated,
// for both of the time fields Twilio's filter might use; calls that appear while a window is
// being paged are not lost.
#include <gtest/gtest.h>

#include "sim/list_page.hpp"
#include "tests/support/fake_summaries_api.hpp"
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

sim::GeneratorOptions sim_data(int calls_per_hour) {
  sim::GeneratorOptions data;
  data.seed = 11;
  data.calls_per_hour = calls_per_hour;
  data.long_call_fraction = 0.05;  // more calls lasting hours: the settle horizon must hold
  return data;
}

class SimSyncTest : public testing::PgTest,
                    public ::testing::WithParamInterface<sim::TimeFilterField> {
 protected:
  void start_sim(int calls_per_hour, double annotation_edit_fraction = 0.2) {
    sim::SimServiceOptions service;
    service.time_filter = GetParam();
    sim::GeneratorOptions data = sim_data(calls_per_hour);
    data.annotation_edit_fraction = annotation_edit_fraction;
    sim = std::make_unique<RunningSim>(data, service, kTestNoon);
  }

  SyncHarnessOptions harness(int lookback_hours) {
    return testing::harness_for(*sim, db->conninfo(), clock, lookback_hours);
  }

  void set_time(UtcSeconds time) {
    clock.set(time);
    sim->set_time(time);
  }

  const char* field() const {
    return GetParam() == sim::TimeFilterField::start_time ? "start_time" : "end_time";
  }

  // The warehouse equals the sim's truth for [from, to) of the time-filter field.
  void expect_equals_truth(UtcSeconds from, UtcSeconds to) {
    EXPECT_TRUE(testing::stored_equals_truth(*pg, sim->truth(from, to), field(), from, to));
  }

  std::string count(const std::string& where) {
    return scalar("SELECT count(*) FROM call_summaries WHERE " + where);
  }

  FakeClock clock{kTestNoon};
  std::unique_ptr<RunningSim> sim;
};

TEST_P(SimSyncTest, ConvergesToTheTruthThroughEveryLifecycleStage) {
  start_sim(240);
  const SyncHarnessOptions options = harness(6);
  set_time(kTestNoon);
  // The daemon's polls through eight simulated hours, every 20 minutes.
  long long complete_before = 0;
  for (UtcSeconds now = kTestNoon; now <= kTestNoon + hours(8); now += minutes(20)) {
    set_time(now);
    const SourceSyncReport report = testing::sync_once(options);
    ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
    ASSERT_EQ(report.windows_parked + report.windows_given_up, 0);
    // Never downgraded: complete rows only ever grow.
    const long long complete = std::stoll(count("processing_state = 'complete'"));
    EXPECT_GE(complete, complete_before) << "at " << format_utc(now);
    complete_before = complete;
  }
  // Partial rows existed on the way: the lifecycle was exercised.
  EXPECT_GT(std::stoll(scalar("SELECT sum(rows_updated) FROM work_items")), 0);

  // Past every settle horizon, with annotation passes due: each window is read again now, so
  // the warehouse holds every edit made so far.
  set_time(kTestNoon + hours(8) + hours(5) + hours(48) + hours(2));
  for (int run = 0; run < 3; ++run)
    testing::sync_once(options);
  expect_equals_truth(kTestNoon - hours(6), kTestNoon + hours(8));
  EXPECT_EQ(count("processing_state = 'partial' AND " + std::string(field()) + " < '" +
                  format_utc(kTestNoon + hours(8)) + "'"),
            "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE window_end <= '" +
                   format_utc(kTestNoon + hours(8)) + "' AND state <> 'settled'"),
            "0");
}

TEST_P(SimSyncTest, ASyncAfterTheHorizonSettlesWindowsInOnePassAndMatchesTheTruth) {
  start_sim(120);
  const SyncHarnessOptions options = harness(30);
  set_time(kTestNoon);
  const SourceSyncReport report = testing::sync_once(options);
  ASSERT_FALSE(report.fatal_error);
  // Windows that ended more than settle_after ago settle at once; newer ones stay open.
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'settled'"), "25");
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'open'"), "6");
  expect_equals_truth(kTestNoon - hours(30), kTestNoon);
}

TEST_P(SimSyncTest, CallsAppearingWhileAWindowIsPagedAreNotLost) {
  // Several pages per one-hour window. No annotation edits: this test is about paging, and
  // it only needs to wait for the settle horizon, not for the annotation pass.
  start_sim(3000, 0.0);
  SyncHarnessOptions options = harness(1);
  options.concurrency = 1;
  UtcSeconds now = kTestNoon + minutes(30);
  set_time(now);
  // After the first page of every pass the sim clock moves on, so calls become visible (and
  // others complete) while a window is being paged.
  std::optional<testing::FakeSummariesApi> moving;
  options.wrap_api = [&](SummariesApi& real) -> SummariesApi& {
    testing::FakeSummariesApi& api = moving.emplace(&real);
    api.after_list = [&](const WindowRequest&, const std::optional<std::string>& cursor, Page&) {
      if (cursor)
        return;
      now += minutes(3);
      set_time(now);
    };
    return api;
  };
  for (int poll = 0; poll < 4; ++poll)
    testing::sync_once(options);
  // Passes of several pages happened, with the clock moving under them.
  EXPECT_GT(std::stoll(scalar("SELECT max(pass_pages) FROM work_items")), 1);
  options.wrap_api = nullptr;
  set_time(now + hours(6));
  testing::sync_once(options);
  expect_equals_truth(kTestNoon - hours(1), kTestNoon + hours(1));
}

TEST_P(SimSyncTest, TheEconomicalScheduleReadsAWindowAfterItsCallsAndAtItsHorizonOnly) {
  start_sim(240);
  SyncHarnessOptions options = harness(2);
  options.sync.schedule = LiveSchedule::economical;
  options.sync.first_read_after_minutes = 40;
  const UtcSeconds last = kTestNoon + hours(10);
  const auto passes_wrong_at = [&](UtcSeconds now) {
    std::string at = "'";  // appended, not "'" + a temporary (GCC 12 rule 5, development.md)
    at += format_utc(now);
    at += "'::timestamptz";
    // Unread until 40 minutes past its end, read once more at its horizon (end + 5 h), which
    // settles it (every call has ended and completed by then): no other read.
    return scalar(
        "SELECT count(*) FROM work_items WHERE passes_completed <> CASE"
        " WHEN window_end + interval '300 minutes' <= " +
        at +
        " THEN 2"
        " WHEN window_end + interval '40 minutes' <= " +
        at +
        " THEN 1 ELSE 0 END"
        " OR (state = 'settled') <> (window_end + interval '300 minutes' <= " +
        at + ")");
  };
  // The daemon through ten simulated hours, looking at its queue every 5 minutes.
  long long complete_before = 0;
  for (UtcSeconds now = kTestNoon; now <= last; now += minutes(5)) {
    set_time(now);
    const SourceSyncReport report = testing::sync_once(options);
    ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
    ASSERT_EQ(report.windows_parked + report.windows_given_up, 0);
    ASSERT_EQ(passes_wrong_at(now), "0") << "at " << format_utc(now);
    const long long complete = std::stoll(count("processing_state = 'complete'"));
    EXPECT_GE(complete, complete_before) << "at " << format_utc(now);
    complete_before = complete;
  }
  // One request per page read (one page each: 240 calls an hour), about two per window.
  const long long windows = std::stoll(scalar("SELECT count(*) FROM work_items"));
  const long long requests = sim->stats().counter("api_requests");
  EXPECT_EQ(requests, std::stoll(scalar("SELECT sum(pages_read) FROM work_items")));
  EXPECT_LE(requests, 2 * windows);
  // The horizon read found rows the first read had as partial, and calls it could not see.
  EXPECT_GT(std::stoll(scalar("SELECT sum(rows_updated) FROM work_items")), 0);

  // Past every horizon, with annotation passes due: each window is read again now and sees
  // every edit made so far, so the warehouse equals the truth.
  set_time(last + hours(5) + hours(48) + hours(2));
  for (int run = 0; run < 2; ++run)
    testing::sync_once(options);
  expect_equals_truth(kTestNoon - hours(2), last);
}

INSTANTIATE_TEST_SUITE_P(BothTimeFields, SimSyncTest,
                         ::testing::Values(sim::TimeFilterField::start_time,
                                           sim::TimeFilterField::end_time),
                         [](const auto& param_info) {
                           return param_info.param == sim::TimeFilterField::start_time
                                      ? std::string("start_time")
                                      : std::string("end_time");
                         });

}  // namespace
}  // namespace insights
