// The sync engine under failure: every HTTP or database step failing in turn (fail-at-step-n),
// a next_page_url pointing elsewhere, malformed pages, and the sim's injected faults (429 with
// a concurrency cap, 5xx, resets, truncated and malformed bodies).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <pqxx/result>
#include <pqxx/transaction>
#include <set>

#include "api/http_transport_error.hpp"
#include "api/page_parser.hpp"
#include "core/content_hash.hpp"
#include "sim/http_server.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/fake_summaries_api.hpp"
#include "tests/support/running_sim.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/sync_harness.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/test_noon.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using testing::FakeClock;
using testing::RunningSim;
using testing::SyncHarnessOptions;

using insights::testing::kTestNoon;

class SyncFaultsTest : public testing::PgTest {
 protected:
  void start_sim(int calls_per_hour, sim::FaultOptions faults = {}) {
    sim::GeneratorOptions data;
    data.seed = 5;
    data.calls_per_hour = calls_per_hour;
    sim::SimServiceOptions service;
    service.faults = faults;
    sim = std::make_unique<RunningSim>(data, service, kTestNoon);
    sim->set_time(kTestNoon);
  }

  SyncHarnessOptions harness(const std::string& conninfo) {
    return testing::harness_for(*sim, conninfo, clock, 1);
  }

  // Rows stored equal the truth for [from, to) by start_time, field by field.
  static void expect_equals_truth(RunningSim& sim, pqxx::connection& connection, UtcSeconds from,
                                  UtcSeconds to) {
    EXPECT_TRUE(
        testing::stored_equals_truth(connection, sim.truth(from, to), "start_time", from, to));
  }

  FakeClock clock{kTestNoon};
  std::unique_ptr<RunningSim> sim;
};

// Fails the n-th step (counting API calls and the sink's commit steps together).
struct StepCounter {
  int fail_at = -1;
  int steps = 0;
  bool fired = false;
  bool tick() {
    if (steps++ == fail_at) {
      fired = true;
      return true;
    }
    return false;
  }
};

// After a failure, what is stored agrees with the cursors: every row was inserted by exactly
// one committed page, and a window's rows are exactly the rows its committed pages counted.
void expect_rows_agree_with_cursors(pqxx::connection& connection, int n) {
  pqxx::read_transaction tx(connection);
  const auto inserted = tx.exec1("SELECT coalesce(sum(rows_inserted), 0) FROM work_items")[0];
  const auto stored = tx.exec1("SELECT count(*) FROM call_summaries")[0];
  EXPECT_EQ(inserted.as<long long>(), stored.as<long long>()) << "failing step " << n;
  const auto windows = tx.exec(
      "SELECT w.id, w.pass_rows, w.passes_completed, w.page_cursor IS NULL,"
      " (SELECT count(*) FROM call_summaries c WHERE c.start_time >= w.window_start"
      "   AND c.start_time < w.window_end)"
      " FROM work_items w WHERE w.passes_completed + w.pass_pages > 0");
  for (const auto& row : windows) {
    // In the first pass (or right after it), the window holds exactly the committed pages.
    if (row[2].as<int>() <= 1 && !(row[2].as<int>() == 1 && !row[3].as<bool>())) {
      EXPECT_EQ(row[1].as<long long>(), row[4].as<long long>())
          << "window " << row[0].as<long long>() << ", failing step " << n;
    }
  }
}

TEST_F(SyncFaultsTest, FailingEveryStepInTurnNeverLeavesRowsAndCursorsApart) {
  start_sim(5000);  // pages of several windows (the parent account gets about half the calls)
  int n = 0;
  for (; n < 400; ++n) {
    testing::TestDatabase database;
    database.migrate();
    StepCounter counter;
    counter.fail_at = n;
    SyncHarnessOptions options = harness(database.conninfo());
    options.sync.once_attempts = 1;  // a failure ends the run: its state is what we check
    std::optional<testing::FakeSummariesApi> failing;
    options.wrap_api = [&](SummariesApi& real) -> SummariesApi& {
      testing::FakeSummariesApi& api = failing.emplace(&real);
      const auto maybe_reset = [&counter] {
        if (counter.tick())
          throw HttpTransportError(TransportFailure::reset, "injected: connection reset");
      };
      api.before_list = [maybe_reset](const WindowRequest&, const std::optional<std::string>&) {
        maybe_reset();
      };
      api.before_single = [maybe_reset](const std::string&) { maybe_reset(); };
      return api;
    };
    options.database.before_step = [&](CommitStep) {
      if (counter.tick())
        throw DatabaseError(ErrorKind::retry, "injected: database step failed");
    };
    const SourceSyncReport first = testing::sync_once(options);
    auto connection = database.connect();
    expect_rows_agree_with_cursors(*connection, n);
    if (!counter.fired) {
      EXPECT_EQ(first.windows_given_up, 0);
      break;  // the run had fewer steps than n: it succeeded
    }
    EXPECT_EQ(first.windows_given_up, 1) << "failing step " << n;
    // The next run (no faults) completes the work from where the failed one stopped.
    options.wrap_api = nullptr;
    options.database.before_step = nullptr;
    const SourceSyncReport second = testing::sync_once(options);
    EXPECT_EQ(second.windows_given_up, 0);
    expect_rows_agree_with_cursors(*connection, n);
    expect_equals_truth(*sim, *connection, kTestNoon - hours(1), kTestNoon);
    if (HasFailure())
      break;
  }
  EXPECT_GT(n, 10);  // the scenario had many steps, and a run without failure finished
  EXPECT_LT(n, 400);
  std::cout << "fail-at-step-n: " << n << " failure points tried\n";
}

// A server that answers the first page of any list with a next_page_url elsewhere.
class ForeignLinkHandler : public sim::RequestHandler {
 public:
  explicit ForeignLinkHandler(std::string next) : next_(std::move(next)) {}
  boost::asio::awaitable<sim::HttpResponse> handle(sim::HttpRequest request) override {
    ++requests;
    sim::HttpResponse response;
    response.body =
        testing::page_json({testing::summary_json(testing::call_sid(1), "complete")}, next_);
    (void)request;
    co_return response;
  }
  std::atomic<int> requests{0};

 private:
  std::string next_;
};

TEST_F(SyncFaultsTest, ANextPageUrlOnAnotherOriginIsRefusedAndGetsNoCredentials) {
  start_sim(10);  // the "other origin": it must never see a request
  for (const std::string& foreign :
       {sim->base_url() + "/v1/Voice/Summaries?PageToken=x",  // another port
        std::string("https://evil.example.com/v1/Voice/Summaries?PageToken=x"),
        std::string("http://127.0.0.1/v1/Voice/Summaries?PageToken=x")}) {
    testing::TestDatabase database;
    database.migrate();
    boost::asio::io_context io;
    ForeignLinkHandler handler(foreign);
    const auto identity = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
    const testing::TestDir dir("foreign-link");
    const std::string ca = dir.path() + "/ca.pem";
    sim::write_ca_file(identity, ca);
    sim::ServerOptions server_options;
    server_options.tls = sim::make_server_tls_context(identity);
    sim::HttpServer server(io, server_options, handler);
    server.start();
    std::thread loop([&] { io.run(); });

    SyncHarnessOptions options = harness(database.conninfo());
    options.base_url = "https://127.0.0.1:" + std::to_string(server.port());
    options.ca_file = ca;
    options.sync.park_after_attempts = 1;
    const SourceSyncReport report = testing::sync_once(options);
    server.stop();
    loop.join();

    EXPECT_EQ(report.windows_parked, 2) << foreign;  // both windows, each at its second page
    auto connection = database.connect();
    pqxx::read_transaction tx(*connection);
    const auto error = tx.exec1("SELECT min(last_error) FROM work_items WHERE state = 'parked'");
    EXPECT_NE(error[0].as<std::string>().find("not on the configured API origin"),
              std::string::npos)
        << error[0].as<std::string>();
    // The first page's row landed; the foreign page was never fetched.
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM call_summaries")[0].as<int>(), 1);
  }
  const auto stats = sim->admin("GET", "/_sim/stats");
  EXPECT_NE(stats.body.find("\"api_requests\":0"), std::string::npos) << stats.body;
}

// `options` with the window at kTestNoon served malformed pages (a fresh API in front of the sim
// per run, `attempts` counting that window's requests; with `resets_between`, every other
// attempt meets a connection reset instead): the window is retried, then parked after three
// unparsable pages, while the other window is read completely.
SyncHarnessOptions with_malformed_window(SyncHarnessOptions options,
                                         std::optional<testing::FakeSummariesApi>& api,
                                         int& attempts, int once_attempts, bool resets_between) {
  options.sync.park_after_attempts = 3;
  options.sync.once_attempts = once_attempts;
  options.wrap_api = [&api, &attempts, resets_between](SummariesApi& real) -> SummariesApi& {
    attempts = 0;
    testing::FakeSummariesApi& fake = api.emplace(&real);
    fake.before_list = [&attempts, resets_between](const WindowRequest& window,
                                                   const std::optional<std::string>&) {
      if (window.start != kTestNoon)
        return;
      if (++attempts % 2 == 1 && resets_between)
        throw HttpTransportError(TransportFailure::reset, "127.0.0.1: connection reset");
      parse_summaries_page("{\"meta\": {\"key\": \"call_summaries\"}, \"call_");  // throws
    };
    return fake;
  };
  return options;
}

TEST_F(SyncFaultsTest, AMalformedPageIsRetriedThenParkedWithoutStoppingOtherWindows) {
  start_sim(600);
  std::optional<testing::FakeSummariesApi> api;
  int attempts = 0;
  const SyncHarnessOptions options =
      with_malformed_window(harness(db->conninfo()), api, attempts, 10, false);
  const SourceSyncReport report = testing::sync_once(options);
  EXPECT_EQ(report.windows_parked, 1);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(
      scalar("SELECT state FROM work_items WHERE window_start = '" + format_utc(kTestNoon) + "'"),
      "parked");
  EXPECT_NE(scalar("SELECT last_error FROM work_items WHERE state = 'parked'").find("JSON"),
            std::string::npos);
  EXPECT_EQ(scalar("SELECT attempts FROM work_items WHERE state = 'parked'"), "3");
  expect_equals_truth(*sim, *pg, kTestNoon - hours(1), kTestNoon);
  // A parked window is not retried by later runs before its retry time (an hour by default).
  const SourceSyncReport again = testing::sync_once(options);
  EXPECT_EQ(again.passes_finished, 0);
  EXPECT_EQ(attempts, 0);  // counted afresh per run; the parked window was not read
}

// Resets and unparsable pages by turns: only the unparsable ones count towards parking, so the
// window is parked after park_after_attempts of those, not sooner.
TEST_F(SyncFaultsTest, OnlyUnparsablePagesCountTowardsParkingNotTheNetworkErrorsBetweenThem) {
  start_sim(600);
  std::optional<testing::FakeSummariesApi> api;
  int attempts = 0;
  const SyncHarnessOptions options =
      with_malformed_window(harness(db->conninfo()), api, attempts, 20, true);
  const SourceSyncReport report = testing::sync_once(options);
  EXPECT_EQ(report.windows_parked, 1);
  EXPECT_EQ(attempts, 6) << "3 resets and 3 unparsable pages, by turns";
  EXPECT_EQ(
      scalar("SELECT state FROM work_items WHERE window_start = '" + format_utc(kTestNoon) + "'"),
      "parked");
  EXPECT_NE(scalar("SELECT last_error FROM work_items WHERE state = 'parked'").find("JSON"),
            std::string::npos);
}

// The sim serves nothing but broken JSON, so every window is parked; the API mends, and the
// parked windows land by themselves once their retry time comes (no backfill, no operator).
TEST_F(SyncFaultsTest, ParkedWindowsAreTriedAgainAfterTheRetryTimeAndLandOnceTheApiMends) {
  sim::FaultOptions faults;
  faults.malformed_rate = 1;
  start_sim(600, faults);
  SyncHarnessOptions options = harness(db->conninfo());
  options.sync.park_after_attempts = 2;
  options.sync.parked_retry_seconds = 600;
  const SourceSyncReport broken = testing::sync_once(options);
  EXPECT_EQ(broken.windows_parked, 2);  // [start - 1 h, start) and the window holding "now"
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'parked'"), "2");
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "0");
  const std::string parked_until =
      scalar("SELECT DISTINCT next_due_at = '" + format_utc(kTestNoon + seconds(600)) +
             "'::timestamptz FROM work_items");
  EXPECT_EQ(parked_until, "t") << "due again parked_retry_seconds after parking";

  // The API mends. Before the retry time nothing is read; the windows stay parked with their
  // error.
  ASSERT_EQ(sim->admin("POST", "/_sim/faults?malformed_rate=0").status, 200);
  clock.set(kTestNoon + seconds(599));
  const SourceSyncReport early = testing::sync_once(options);
  EXPECT_EQ(early.passes_finished, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'parked'"
                   " AND last_error LIKE '%JSON%'"),
            "2");

  // At the retry time both windows are read and land: not parked, error cleared.
  clock.set(kTestNoon + seconds(600));
  const SourceSyncReport mended = testing::sync_once(options);
  EXPECT_EQ(mended.passes_finished, 2);
  EXPECT_EQ(mended.windows_parked, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'parked'"
                   " OR last_error IS NOT NULL OR passes_completed <> 1"),
            "0");
  expect_equals_truth(*sim, *pg, kTestNoon - hours(1), kTestNoon);
}

TEST_F(SyncFaultsTest, AWindowParkedWithRetryOffWaitsForABackfill) {
  sim::FaultOptions faults;
  faults.malformed_rate = 1;
  start_sim(600, faults);
  SyncHarnessOptions options = harness(db->conninfo());
  options.sync.park_after_attempts = 1;
  options.sync.parked_retry_seconds = 0;
  EXPECT_EQ(testing::sync_once(options).windows_parked, 2);
  ASSERT_EQ(sim->admin("POST", "/_sim/faults?malformed_rate=0").status, 200);
  clock.set(kTestNoon + minutes(50));  // still in the same live window: no new one planned
  EXPECT_EQ(testing::sync_once(options).passes_finished, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE state = 'parked'"), "2");
}

TEST_F(SyncFaultsTest, InjectedApiFaultsSlowTheSyncButLoseNothing) {
  sim::FaultOptions faults;
  faults.concurrency_cap = 2;  // below the source's concurrency of 4: 429s
  faults.retry_after_fraction = 0;
  faults.latency_ms = 30;  // requests overlap, so the cap bites
  faults.server_error_rate = 0.05;
  faults.reset_rate = 0.03;
  faults.truncate_rate = 0.03;
  faults.malformed_rate = 0.05;
  start_sim(3000, faults);
  SyncHarnessOptions options = harness(db->conninfo());
  options.sync = testing::test_sync_options(12);
  // 429s never count towards giving up; the other faults are rare enough for 10 attempts.
  options.sync.once_attempts = 10;
  options.sync.park_after_attempts = 10;
  const SourceSyncReport report = testing::sync_once(options);
  EXPECT_EQ(report.windows_parked + report.windows_given_up, 0);
  EXPECT_FALSE(report.fatal_error);
  expect_equals_truth(*sim, *pg, kTestNoon - hours(12), kTestNoon);
  const auto stats = sim->admin("GET", "/_sim/stats");
  std::cout << "sim stats under faults: " << stats.body << "\n";
  EXPECT_EQ(stats.body.find("\"rate_limited\":0,"), std::string::npos) << stats.body;
}

TEST_F(SyncFaultsTest, AFewStragglersPastTheHorizonAreFetchedOneByOne) {
  start_sim(5000);  // about three pages per window for the parent account
  SyncHarnessOptions options = harness(db->conninfo());
  options.sync = testing::test_sync_options(8);
  const UtcSeconds old_window = kTestNoon - hours(8);  // long past its settle horizon
  // The first two rows of the old window's first page still show as partial, as Twilio does
  // for a summary that is late to complete.
  std::optional<testing::FakeSummariesApi> api;
  std::set<std::string> lagging, fetched;
  options.wrap_api = [&](SummariesApi& real) -> SummariesApi& {
    testing::FakeSummariesApi& fake = api.emplace(&real);
    fake.after_list = [&](const WindowRequest& window, const std::optional<std::string>& cursor,
                          Page& page) {
      if (window.start != old_window || cursor)
        return;
      for (std::size_t i = 0; i < 2 && i < page.rows.size(); ++i) {
        page.rows[i].processing_state = "partial";
        page.rows[i].content_hash = content_hash_hex(page.rows[i]);
        lagging.insert(page.rows[i].call_sid);
      }
    };
    fake.before_single = [&](const std::string& sid) { fetched.insert(sid); };
    return fake;
  };
  const SourceSyncReport report = testing::sync_once(options);
  EXPECT_EQ(report.stragglers_fetched, 2);
  EXPECT_EQ(fetched, lagging);
  EXPECT_EQ(
      scalar("SELECT state FROM work_items WHERE window_start = '" + format_utc(old_window) + "'"),
      "settled");
  expect_equals_truth(*sim, *pg, old_window, old_window + hours(1));
  const auto stats = sim->admin("GET", "/_sim/stats");
  EXPECT_NE(stats.body.find("\"summaries\":2,"), std::string::npos) << stats.body;
}

}  // namespace
}  // namespace insights
