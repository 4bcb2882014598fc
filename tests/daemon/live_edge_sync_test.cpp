// The live schedule (the default) against the real insights-sim over TLS and a real PostgreSQL,
// on a clock the test moves to every instant the daemon would act: every call shows within an
// edge poll of Twilio listing it and shows complete within a poll and a completion read of
// Twilio completing it — calls lasting hours included — and the warehouse then converges to
// the truth field by field; for both time fields Twilio's filter might use and both directions
// its SortBy might sort in (neither is documented). A restart reads back at once what completed
// while the daemon was down.
#include <gtest/gtest.h>

#include <unordered_map>

#include "sim/call_store.hpp"
#include "sim/list_page.hpp"
#include "tests/support/landing_watch.hpp"
#include "tests/support/running_sim.hpp"
#include "tests/support/stepped_sync.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using testing::FakeClock;
using testing::kTestNoon;
using testing::LandingWatch;
using testing::RunningSim;
using testing::SteppedSync;

sim::GeneratorOptions edge_test_data() {
  sim::GeneratorOptions data;
  data.seed = 23;
  data.calls_per_hour = 300;
  data.long_call_fraction = 0.05;     // more calls lasting hours
  data.annotation_edit_fraction = 0;  // the end compares with the truth of that moment
  data.subaccounts_per_account = 0;   // every call is the listed account's own
  return data;
}

// The product's defaults (the live schedule), but a short lookback and no annotation passes.
SyncOptions edge_test_options(int lookback_hours) {
  SyncOptions options;
  options.initial_lookback_hours = lookback_hours;
  options.annotation_pass_after_hours = 0;
  options.instance_name = "test";
  return options;
}

struct ApiVariant {
  sim::TimeFilterField time_filter;
  sim::SortDirection sort_direction;
};

class LiveEdgeSyncTest : public testing::PgTest, public ::testing::WithParamInterface<ApiVariant> {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    sim::SimServiceOptions service;
    service.time_filter = GetParam().time_filter;
    service.sort_direction = GetParam().sort_direction;
    sim = std::make_unique<RunningSim>(data, service, kTestNoon);
  }

  void TearDown() override {
    sim.reset();
    PgTest::TearDown();
  }

  const char* field() const {
    return GetParam().time_filter == sim::TimeFilterField::start_time ? "start_time" : "end_time";
  }

  sim::GeneratorOptions data = edge_test_data();
  sim::CallStore truth{data};  // the sim's calls: when each was listed and completed
  FakeClock clock{kTestNoon};
  std::unique_ptr<RunningSim> sim;
};

TEST_P(LiveEdgeSyncTest, EveryCallShowsWithinAPollAndCompleteWithinAPollAndACompletionRead) {
  const SyncOptions options = edge_test_options(1);
  SteppedSync sync(*sim, clock, db->conninfo(), options);
  const UtcSeconds from = kTestNoon + hours(1), to = kTestNoon + hours(4);
  LandingWatch watch(truth, data, from, to);
  // On until the windows holding the period have had their horizon read.
  const UtcSeconds end = to + minutes(options.window_minutes + options.settle_after_minutes + 10);
  for (UtcSeconds now = kTestNoon; now <= end; now = sync.next_event(*pg, now)) {
    watch.before_step(*pg);
    ASSERT_EQ(sync.step(now), 0) << "a window was parked at " << format_utc(now);
    watch.after_step(*pg, now);
  }
  sync.close();

  const seconds poll(options.edge_poll_seconds);
  const seconds completion_read(options.completion_read_seconds);
  int listed = 0, completed = 0, long_calls = 0;
  for (const auto& [sid, at] : watch.calls()) {
    if (at.listed_in_period) {
      ++listed;
      ASSERT_TRUE(at.shown) << sid << " never showed";
      EXPECT_LE(*at.shown - at.call->partial_at, poll) << sid << " showed late";
    }
    if (at.completed_in_period) {
      ++completed;
      long_calls += at.call->end_time - at.call->start_time > kLongCall;
      ASSERT_TRUE(at.complete) << sid << " never showed complete";
      EXPECT_LE(*at.complete - at.call->complete_at, poll + completion_read)
          << sid << " showed complete late (a call of "
          << (at.call->end_time - at.call->start_time).count() << " s)";
    }
  }
  EXPECT_GT(listed, 600);
  EXPECT_GT(completed, 600);
  EXPECT_GE(long_calls, 5) << "the period must hold calls read back one by one";
  const auto tally = sync.edge_tally();
  ASSERT_TRUE(tally);
  EXPECT_GT(tally->completions_read, completed / 2);
  EXPECT_EQ(tally->failed_steps, 0);
  // The windows' horizon reads leave the warehouse equal to the truth, field by field.
  sim->set_time(end);
  EXPECT_TRUE(testing::stored_equals_truth(*pg, sim->truth(from, to), field(), from, to));
}

TEST_P(LiveEdgeSyncTest, ARestartReadsBackAtOnceWhatCompletedWhileTheDaemonWasDown) {
  const SyncOptions options = edge_test_options(0);
  {
    SteppedSync before(*sim, clock, db->conninfo(), options);
    for (UtcSeconds now = kTestNoon; now < kTestNoon + minutes(50);
         now = before.next_event(*pg, now)) {
      before.step(now);
    }
    before.close();
  }
  const auto partial_sids = [&] {
    std::vector<std::string> sids;
    pqxx::work query(*pg);
    for (const auto& row :
         query.exec("SELECT call_sid FROM call_summaries WHERE processing_state = 'partial'"))
      sids.push_back(row[0].as<std::string>());
    return sids;
  };
  const auto partial_at_stop = partial_sids();
  ASSERT_GT(partial_at_stop.size(), 20u);

  // Down for 40 minutes: every one of them completes. 13:30 is before the first window's first
  // read (13:40), so only the edge can bring them.
  const UtcSeconds restart = kTestNoon + minutes(90);
  std::unordered_map<std::string, UtcSeconds> complete_at;
  for (const sim::SimCall* call : truth.calls_starting_in(kTestNoon - hours(5), restart))
    complete_at.emplace(call->call_sid, call->complete_at);
  int completed_while_down = 0;
  for (const auto& sid : partial_at_stop)
    completed_while_down += complete_at.at(sid) <= restart;
  ASSERT_GT(completed_while_down, 20);

  SteppedSync after(*sim, clock, db->conninfo(), options);
  after.step(restart);
  for (const auto& sid : partial_sids())
    EXPECT_GT(complete_at.at(sid), restart) << sid << " completed at Twilio but is still partial";
  EXPECT_GE(after.edge_tally()->completions_read, completed_while_down);
  after.close();
}

INSTANTIATE_TEST_SUITE_P(
    TimeFieldsAndSortDirections, LiveEdgeSyncTest,
    ::testing::Values(ApiVariant{sim::TimeFilterField::start_time, sim::SortDirection::ascending},
                      ApiVariant{sim::TimeFilterField::end_time, sim::SortDirection::ascending},
                      ApiVariant{sim::TimeFilterField::start_time, sim::SortDirection::descending},
                      ApiVariant{sim::TimeFilterField::end_time, sim::SortDirection::descending}),
    [](const auto& param_info) {
      std::string name = param_info.param.time_filter == sim::TimeFilterField::start_time
                             ? "start_time"
                             : "end_time";
      name += param_info.param.sort_direction == sim::SortDirection::ascending ? "_asc" : "_desc";
      return name;
    });

}  // namespace
}  // namespace insights
