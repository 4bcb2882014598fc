// The live schedule's edge poll on its own (daemon/live_edge.hpp): a fake API, the in-memory
// work queue and a fake clock, so each step's requests and rows can be checked exactly.
#include "daemon/live_edge.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/fake_clock.hpp"
#include "tests/support/fake_summaries_api.hpp"
#include "tests/support/in_memory_work_queue.hpp"
#include "tests/support/run_now.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using testing::kTestNoon;

class LiveEdgeTest : public ::testing::Test {
 protected:
  // One step at `now`; the requests it made are counted by `api`.
  void step_at(UtcSeconds now) {
    clock.set(now);
    auto done = boost::asio::co_spawn(io, edge.step(), boost::asio::use_future);
    io.restart();
    io.run();
    done.get();
  }

  std::string state_of(const std::string& sid) const {
    const auto found = queue.rows().find(sid);
    return found == queue.rows().end() ? "absent" : found->second.processing_state;
  }

  testing::FakeClock clock{kTestNoon};
  testing::FakeSummariesApi api;
  testing::InMemoryWorkQueue queue;
  boost::asio::io_context io;
  AdaptiveConcurrency concurrency{1, 4};
  RequestPermits permits{io.get_executor(), [this] { return concurrency.limit(); }};
  SyncOptions options;  // the defaults: a poll every 80 s, completion reads every 180 s
  LiveEdge edge{LiveEdgeSetup{.source = "main",
                              .filters = {},
                              .options = options,
                              .clock = &clock,
                              .api = &api,
                              .work_queue = &queue,
                              .permits = &permits,
                              .concurrency = &concurrency,
                              .metrics = nullptr}};
  std::vector<WindowRequest> asked;  // filled by a before_list hook where a test wants it
};

TEST_F(LiveEdgeTest, ANewCallLandsAtThePollAndItsCompletionWithinAPollAndACompletionRead) {
  api.before_list = [this](const WindowRequest& request, const std::optional<std::string>&) {
    asked.push_back(request);
  };
  const UtcSeconds start = kTestNoon - minutes(12), end = kTestNoon - minutes(6);
  api.put("CA1", start, end, false);
  step_at(kTestNoon);
  EXPECT_EQ(state_of("CA1"), "partial");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].processing_state, ProcessingStateParam::partial);
  EXPECT_EQ(asked[0].start, kTestNoon - minutes(options.settle_after_minutes));
  EXPECT_EQ(edge.next_due(), kTestNoon + seconds(80));

  api.complete("CA1");
  step_at(kTestNoon + seconds(80));  // the poll no longer lists it: read back 180 s later
  EXPECT_EQ(state_of("CA1"), "partial");
  EXPECT_EQ(asked.size(), 2u);
  EXPECT_EQ(edge.next_due(), kTestNoon + seconds(160));  // the next poll comes first

  step_at(kTestNoon + seconds(160));
  EXPECT_EQ(edge.next_due(), kTestNoon + seconds(240));
  step_at(kTestNoon + seconds(240));
  EXPECT_EQ(state_of("CA1"), "partial");
  EXPECT_EQ(edge.next_due(), kTestNoon + seconds(80 + 180));
  step_at(kTestNoon + seconds(80 + 180));
  EXPECT_EQ(state_of("CA1"), "complete");
  ASSERT_EQ(asked.size(), 5u);  // polls at 0, 80, 160 and 240 s, then the completion read
  const WindowRequest& read_back = asked.back();
  EXPECT_EQ(read_back.processing_state, ProcessingStateParam::completed);
  EXPECT_EQ(read_back.start, start);
  EXPECT_EQ(read_back.end, end + seconds(1));
  EXPECT_EQ(edge.tally().completions_read, 1);
  EXPECT_EQ(api.single_requests(), 0);
}

TEST_F(LiveEdgeTest, ACallThatLastedHoursIsReadBackOnItsOwn) {
  api.put("CA_long", kTestNoon - hours(3), kTestNoon - minutes(5), false);
  step_at(kTestNoon);
  api.complete("CA_long");
  step_at(kTestNoon + seconds(80));
  step_at(kTestNoon + seconds(80 + 180));
  EXPECT_EQ(state_of("CA_long"), "complete");
  EXPECT_EQ(api.single_requests(), 1);
}

TEST_F(LiveEdgeTest, ACallNotFoundCompleteIsAskedForAgainThenLeftToItsWindow) {
  api.put("CA1", kTestNoon - minutes(12), kTestNoon - minutes(6), false);
  step_at(kTestNoon);
  api.complete("CA1");
  // Twilio lists it in neither state for a while: gone from the partial listing, not yet in
  // the completed one.
  int completion_reads = 0;
  api.after_list = [&completion_reads](const WindowRequest& request,
                                       const std::optional<std::string>&, Page& page) {
    if (request.processing_state == ProcessingStateParam::completed) {
      ++completion_reads;
      page.rows.clear();
    }
  };
  step_at(kTestNoon + seconds(80));
  for (int step = 0; step < 20 && edge.tally().completions_missed == 0; ++step)
    step_at(edge.next_due());
  EXPECT_EQ(completion_reads, LiveEdge::kCompletionReadAttempts);
  EXPECT_EQ(edge.tally().completions_missed, 1);
  EXPECT_EQ(edge.tally().completions_read, 0);
  EXPECT_EQ(state_of("CA1"), "partial");  // its window's horizon read brings it
}

TEST_F(LiveEdgeTest, AFailedPollIsCountedAndTheNextOneTriesAgain) {
  api.put("CA1", kTestNoon - minutes(12), kTestNoon - minutes(6), false);
  api.fail_next([] {
    throw SyncError(ErrorKind::retry, "HTTP 503",
                    FailureFacts{.http_status = 503, .pushback = true});
  });
  concurrency.on_success();  // not at its floor, so a pushback shows
  const int limit_before = concurrency.limit();
  step_at(kTestNoon);
  EXPECT_EQ(edge.tally().failed_steps, 1);
  EXPECT_EQ(state_of("CA1"), "absent");
  EXPECT_LT(concurrency.limit(), limit_before);
  EXPECT_EQ(edge.next_due(), kTestNoon + seconds(80));
  step_at(kTestNoon + seconds(80));
  EXPECT_EQ(state_of("CA1"), "partial");
  EXPECT_EQ(edge.tally().polls, 1);
}

TEST_F(LiveEdgeTest, ARefusalThatStopsTheSourceStopsTheEdgeAndIsHandedToItsOwner) {
  api.put("CA1", kTestNoon - minutes(12), kTestNoon - minutes(6), false);
  api.fail_next([] {
    throw SyncError(ErrorKind::stop_source, "HTTP 401: check the credentials",
                    FailureFacts{.http_status = 401});
  });
  step_at(kTestNoon);
  ASSERT_TRUE(edge.fatal_error());
  EXPECT_EQ(edge.fatal_error()->kind(), ErrorKind::stop_source);
  EXPECT_EQ(edge.tally().failed_steps, 0);  // not a transient failure
  step_at(kTestNoon + seconds(80));
  EXPECT_EQ(api.list_requests(), 1) << "no request after a refusal";
  EXPECT_EQ(state_of("CA1"), "absent");
}

TEST_F(LiveEdgeTest, AfterARestartTheFirstPollReadsBackAtOnceWhatCompletedMeanwhile) {
  // Stored partial by an earlier process; completed at Twilio since.
  api.put("CA1", kTestNoon - minutes(50), kTestNoon - minutes(45), false);
  WindowRequest hour_before;
  hour_before.start = kTestNoon - hours(1);
  hour_before.end = kTestNoon;
  const Page earlier = testing::run_now(api.list_page(hour_before, std::nullopt));
  testing::run_now(queue.merge_rows("main", earlier));
  ASSERT_EQ(state_of("CA1"), "partial");
  api.complete("CA1");
  api.put("CA2", kTestNoon - minutes(12), kTestNoon - minutes(6), false);  // still partial
  step_at(kTestNoon);
  EXPECT_EQ(state_of("CA1"), "complete");
  EXPECT_EQ(state_of("CA2"), "partial");
  EXPECT_EQ(edge.tally().completions_read, 1);
}

}  // namespace
}  // namespace insights
