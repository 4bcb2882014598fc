// The real insights-sync binary against the real insights-sim binary over TLS and a real
// PostgreSQL, as an operator runs them: kill -9 at random instants (nothing lost, nothing
// duplicated, nothing downgraded), refused credentials and certificates, an API that is down, a
// database that is down at start or goes away while the daemon runs.
//
// The sim's clock is frozen at the test's start instant, so its truth is fixed while the daemon
// reads, and "equals the truth" means exactly that: same calls, same content hash (every stored
// field), nothing extra.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/basic_auth.hpp"
#include "core/exit_codes.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/daemon_activity.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/private_pg_cluster.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Calls per hour of the sim's parent account and its subaccount together: about 2,000 of the
// parent's per hour, so 48 one-hour windows hold about 100,000 rows and a full `sync --once`
// takes a few seconds on two cores.
const std::string kBusySimCallsPerHour = "4000";

UtcSeconds now_seconds() {
  return floor<seconds>(system_clock::now());
}

// The config most tests here run: a database, the sim, the lookback and extra [sync] lines.
SyncConfig daemon_config(std::string database_url, std::string api_url, std::string ca_file,
                         int lookback_hours, std::vector<std::string> sync_lines = {}) {
  SyncConfig config;
  config.database_url = std::move(database_url);
  config.api_url = std::move(api_url);
  config.ca_file = std::move(ca_file);
  config.lookback_hours = lookback_hours;
  config.sync_lines = std::move(sync_lines);
  return config;
}

// Writes `config` to dir/name and returns the path.
std::string write_config(const std::string& dir, const std::string& name,
                         const SyncConfig& config) {
  return config.write(dir + "/" + name);
}

// Keeps windows due again quickly, so later runs re-read what earlier runs read: the window
// holding "now" every second, the others every 10 s, and every window of the last 48 hours
// stays open (none settles while the test runs).
const std::vector<std::string> kRereadOften = {kFreshSchedule, "poll_interval_seconds = 1",
                                               "reread_interval_seconds = 10",
                                               "settle_after_minutes = 2880"};

// Runs `insights-sync ARGS` to completion with the source's secret in its environment.
ChildResult insights_sync(const std::string& dir, const std::string& log,
                          std::vector<std::string> arguments, const std::string& secret,
                          milliseconds timeout = 60s) {
  return run_child(INSIGHTS_SYNC_BINARY, std::move(arguments), dir + "/" + log,
                   {{kSyncConfigSecretEnv, secret}}, timeout);
}

std::unique_ptr<ChildProcess> start_insights_sync(const std::string& dir, const std::string& log,
                                                  std::vector<std::string> arguments,
                                                  const std::string& secret) {
  return std::make_unique<ChildProcess>(
      INSIGHTS_SYNC_BINARY, std::move(arguments), dir + "/" + log,
      std::map<std::string, std::string>{{kSyncConfigSecretEnv, secret}});
}

std::string describe(const ChildResult& result) {
  return (result.exit ? result.exit->describe() : std::string("still running at the deadline")) +
         "; output:\n" + result.output;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

long long number(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  const auto row = tx.exec1(sql);
  return row[0].is_null() ? 0 : row[0].as<long long>();
}

// The range every window the daemon read covers and the sim's truth covers too: from the
// first window (or 48 h before the frozen sim clock, whichever is later) up to the sim clock.
UtcSeconds compared_range_start(pqxx::connection& connection, UtcSeconds sim_now, hours lookback) {
  pqxx::nontransaction tx(connection);
  const auto first = tx.exec1(
      "SELECT extract(epoch FROM min(window_start))::bigint FROM work_items WHERE kind = 'live'");
  const UtcSeconds window_start{seconds(first[0].as<long long>())};
  return std::max(window_start, sim_now - lookback);
}

// A loopback TCP port that refuses connections for as long as this object lives: bound (so
// no one else gets it) but not listening.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot reserve a loopback port");
    }
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  unsigned short port() const { return port_; }

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
};

// A CA that signed nothing the sim serves (the sim generates a fresh identity per start).
std::string write_unrelated_ca(const std::string& dir) {
  const std::string path = dir + "/unrelated-ca.pem";
  sim::write_ca_file(sim::make_tls_identity({"localhost"}, {"127.0.0.1"}), path);
  return path;
}

class DaemonProcessTest : public PgTest {
 protected:
  TestDir test_dir{"daemon-process"};
  const std::string& dir = test_dir.path();
};

// --- 1. kill -9 --------------------------------------------------------------------------------

TEST_F(DaemonProcessTest, KillNineAtRandomInstantsLosesDuplicatesAndDowngradesNothing) {
  constexpr int kTrials = 12;
  // A full first `sync --once` of ~100,000 rows takes about this long here; kills are drawn
  // from this range so they land anywhere in a run, also in re-reads.
  constexpr int kLongestKillDelayMs = 6000;

  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now, {"--calls-per-hour", kBusySimCallsPerHour});
  const std::string config =
      write_config(dir, "sync.toml",
                   daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 48, kRereadOften));
  // Everything the daemon can store: the windows start at most an hour before now - 48 h.
  const auto truth = sim.truth(sim_now - 49h, sim_now + 1h);
  ASSERT_GT(truth.size(), 50'000u) << "the sim should hold a large data set";

  const unsigned seed = std::random_device{}();
  std::cout << "[ crash    ] seed " << seed << " (" << kTrials << " trials, " << truth.size()
            << " summaries in the truth)" << std::endl;
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(50, kLongestKillDelayMs);

  DaemonActivity activity(db->conninfo());
  int killed_mid_run = 0, finished_before_kill = 0, interrupted_passes = 0;
  long long complete_before = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    // Alternate the one-shot command and the daemon: `run` also re-reads windows while it runs.
    const bool once = trial % 2 == 0;
    const int delay = delay_ms(random);
    auto process =
        start_insights_sync(dir, "trial-" + std::to_string(trial) + ".log",
                            once ? std::vector<std::string>{"--config", config, "sync", "--once"}
                                 : std::vector<std::string>{"--config", config, "run"},
                            kSimToken);
    std::this_thread::sleep_for(milliseconds(delay));  // the random kill instant
    const ChildExit end = process->kill_now();
    if (end.exited) {
      ++finished_before_kill;
      ASSERT_EQ(end.exit_code, kExitOk) << "trial " << trial << ": " << process->output();
    } else {
      ASSERT_EQ(end.signal, SIGKILL) << process->output();
      ++killed_mid_run;
    }
    // A COMMIT the server was running at the kill still lands; read only once it has.
    ASSERT_TRUE(activity.wait_until_sessions_end(30s)) << "the killed daemon's sessions stay";

    // (a) Every stored row was counted by the one committed page that inserted it: rows and
    // the cursor commit together, so a kill never leaves rows without their page or a page
    // counted without its rows.
    const long long rows = number(*pg, "SELECT count(*) FROM call_summaries");
    const long long counted = number(*pg, "SELECT sum(rows_inserted) FROM work_items");
    EXPECT_EQ(counted, rows) << "trial " << trial;
    // (b) Nothing was downgraded.
    const long long complete =
        number(*pg, "SELECT count(*) FROM call_summaries WHERE processing_state = 'complete'");
    EXPECT_GE(complete, complete_before) << "trial " << trial;
    complete_before = complete;
    // (c) No complete row the truth has as partial; and, the truth being frozen, every stored
    // row is exactly the truth's (no half-written row).
    const Comparison check = compare_with_truth(stored_digests(*pg), truth, false);
    EXPECT_EQ(check.complete_but_partial_in_truth, 0) << check.examples;
    EXPECT_EQ(check.different + check.extra, 0) << check.examples;

    const long long mid_pass =
        number(*pg, "SELECT count(*) FROM work_items WHERE page_cursor IS NOT NULL");
    interrupted_passes += static_cast<int>(mid_pass);
    std::cout << "[ crash    ] trial " << trial << ": " << (once ? "sync --once" : "run")
              << " after " << delay << " ms: " << (end.exited ? "had finished" : "killed mid-run")
              << "; " << rows << " rows (" << complete << " complete), " << mid_pass
              << " window(s) left mid-pass, "
              << number(*pg, "SELECT sum(pages_read) FROM work_items") << " pages committed so far"
              << std::endl;
    if (HasFailure())
      return;
  }

  // Then one clean run finishes every window, and the warehouse equals the truth.
  const ChildResult final_run =
      insights_sync(dir, "final.log", {"--config", config, "sync", "--once"}, kSimToken);
  ASSERT_EQ(exit_code(final_run), kExitOk) << describe(final_run);
  EXPECT_EQ(number(*pg,
                   "SELECT count(*) FROM work_items WHERE passes_completed = 0"
                   " OR page_cursor IS NOT NULL"),
            0)
      << "every window was read completely";
  EXPECT_EQ(number(*pg, "SELECT count(*) FROM call_summaries"),
            number(*pg, "SELECT sum(rows_inserted) FROM work_items"));
  const UtcSeconds from = compared_range_start(*pg, sim_now, 48h);
  const auto expected = sim.truth(from, sim_now);
  const Comparison final_check =
      compare_with_truth(stored_digests(*pg, "start_time", from, sim_now), expected);
  EXPECT_TRUE(final_check.equal()) << final_check.describe();
  EXPECT_GE(killed_mid_run, kTrials / 2)
      << "at least the `run` trials must be killed while working";
  std::cout << "[ crash    ] " << kTrials << " kill -9 trials (seed " << seed
            << "): " << killed_mid_run << " killed mid-run, " << finished_before_kill
            << " had finished; " << interrupted_passes
            << " window passes left mid-way and resumed; " << final_check.compared
            << " rows compared with the truth over " << format_utc(from) << ".."
            << format_utc(sim_now) << ": " << final_check.missing << " missing, "
            << final_check.different << " different, " << final_check.extra << " extra"
            << std::endl;
}

// --- 1b. a backfill survives kill -9 -----------------------------------------------------------

TEST_F(DaemonProcessTest, BackfillFollowedByWaitResumesAfterKillNineWithoutRedoingFinishedWindows) {
  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now, {"--calls-per-hour", kBusySimCallsPerHour});
  // The live tail only holds the current window; the backfill is ~34 settled hours.
  const std::string config = write_config(
      dir, "sync.toml", daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 0, {}));
  auto daemon = start_insights_sync(dir, "daemon-1.log", {"--config", config, "run"}, kSimToken);
  auto wait = start_insights_sync(
      dir, "backfill-wait.log",
      {"--config", config, "backfill", "--from", "40h", "--to", "6h", "--wait"}, kSimToken);

  // Kill the daemon once some backfill windows are done and others are not.
  const std::string done_windows =
      "SELECT count(*) FROM work_items WHERE kind = 'backfill' AND requested_passes > 0"
      " AND passes_completed >= requested_passes";
  const auto deadline = steady_clock::now() + 60s;
  while (number(*pg, done_windows) < 4) {
    ASSERT_LT(steady_clock::now(), deadline) << daemon->output();
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(daemon->kill_now().exited) << "the daemon must still be working when killed";
  const long long windows = number(*pg, "SELECT count(*) FROM work_items WHERE kind = 'backfill'");
  // What the finished windows look like at the kill: they must not be read again.
  std::map<long long, std::pair<long long, long long>> finished;  // id -> (passes, pages)
  {
    pqxx::nontransaction tx(*pg);
    for (const auto& row :
         tx.exec("SELECT id, passes_completed, pages_read FROM work_items WHERE kind ="
                 " 'backfill' AND passes_completed >= requested_passes")) {
      finished[row[0].as<long long>()] = {row[1].as<long long>(), row[2].as<long long>()};
    }
  }
  ASSERT_LT(static_cast<long long>(finished.size()), windows)
      << "the kill came too late: every window was done";

  daemon = start_insights_sync(dir, "daemon-2.log", {"--config", config, "run"}, kSimToken);
  const auto waited = wait->wait_for(120s);
  ASSERT_TRUE(waited) << "backfill --wait did not end: " << wait->output();
  EXPECT_EQ(waited->exit_code, kExitOk) << wait->output();
  EXPECT_TRUE(contains(wait->output(), "backfill done")) << wait->output();
  EXPECT_TRUE(contains(wait->output(), " windows ")) << "progress lines: " << wait->output();

  {
    pqxx::nontransaction tx(*pg);
    for (const auto& [id, before] : finished) {
      const auto row = tx.exec1("SELECT passes_completed, pages_read FROM work_items WHERE id = " +
                                std::to_string(id));
      EXPECT_EQ(row[0].as<long long>(), before.first) << "window " << id << " was read again";
      EXPECT_EQ(row[1].as<long long>(), before.second) << "window " << id << " was read again";
    }
  }
  // Every row of the backfilled range was counted by exactly one committed page of its windows
  // (the live schedule's edge poll inserts rows of the last hours too, outside any window, so
  // the range's rows are the ones to count), and the range equals the truth.
  EXPECT_EQ(number(*pg,
                   "SELECT count(*) FROM call_summaries c JOIN backfills b"
                   " ON c.start_time >= b.range_start AND c.start_time < b.range_end"),
            number(*pg, "SELECT sum(rows_inserted) FROM work_items WHERE kind = 'backfill'"));
  pqxx::nontransaction tx(*pg);
  const auto range = tx.exec1(
      "SELECT extract(epoch FROM range_start)::bigint, extract(epoch FROM range_end)::bigint"
      " FROM backfills");
  tx.commit();
  const UtcSeconds from{seconds(range[0].as<long long>())}, to{seconds(range[1].as<long long>())};
  const Comparison check =
      compare_with_truth(stored_digests(*pg, "start_time", from, to), sim.truth(from, to));
  EXPECT_TRUE(check.equal()) << check.describe();
  std::cout << "[ backfill ] " << windows << " windows; killed with " << finished.size()
            << " done (not read again); " << check.compared << " rows equal to the truth"
            << std::endl;

  daemon->send(SIGTERM);
  const auto stopped = daemon->wait_for(30s);
  ASSERT_TRUE(stopped) << daemon->output();
  EXPECT_EQ(stopped->exit_code, kExitOk) << daemon->output();
}

// --- 1c. the live tail keeps priority ----------------------------------------------------------

TEST_F(DaemonProcessTest, TheLiveTailStaysFreshWhileAMonthIsBackfilled) {
  constexpr auto kObserve = 20s;
  constexpr int kPollSeconds = 2;
  const UtcSeconds sim_now = now_seconds();
  // Every API request takes 300 ms: the backfill (~1,300 pages) cannot finish while we watch.
  SimProcess sim(dir + "/sim", sim_now,
                 {"--calls-per-hour", "2000", "--subaccounts", "0", "--fault", "latency_ms=300"});
  const std::string config = write_config(
      dir, "sync.toml",
      daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 0,
                    {kFreshSchedule, "poll_interval_seconds = " + std::to_string(kPollSeconds)}));
  const ChildResult enqueued =
      insights_sync(dir, "backfill.log",
                    {"--config", config, "backfill", "--from", "29d", "--to", "1d"}, kSimToken);
  ASSERT_EQ(exit_code(enqueued), kExitOk) << describe(enqueued);

  auto daemon = start_insights_sync(dir, "daemon.log", {"--config", config, "run"}, kSimToken);
  std::this_thread::sleep_for(kObserve);
  const long long live_passes =
      number(*pg, "SELECT sum(passes_completed) FROM work_items WHERE kind = 'live'");
  const long long since_live_pass =
      number(*pg,
             "SELECT extract(epoch FROM now() - max(last_pass_finished_at))::bigint FROM work_items"
             " WHERE kind = 'live'");
  const long long backfill_done = number(
      *pg, "SELECT count(*) FROM work_items WHERE kind = 'backfill' AND passes_completed > 0");
  const long long backfill_windows =
      number(*pg, "SELECT count(*) FROM work_items WHERE kind = 'backfill'");
  daemon->send(SIGTERM);
  const auto stopped = daemon->wait_for(30s);
  ASSERT_TRUE(stopped) << daemon->output();
  EXPECT_EQ(stopped->exit_code, kExitOk) << daemon->output();

  // A pass of the live window every poll interval plus its read (~0.3 s a page): 20 s hold
  // about 8; at least half of that, although a month of backfill wanted every request slot.
  EXPECT_GE(live_passes, 4) << daemon->output();
  EXPECT_LE(since_live_pass, kPollSeconds + 3) << "the live tail fell behind";
  // ... and the backfill shared the budget: it advanced, and had far more left.
  EXPECT_GE(backfill_done, 10);
  EXPECT_LT(backfill_done, backfill_windows);
  std::cout << "[ priority ] " << kObserve.count() << " s: " << live_passes
            << " live passes (poll every " << kPollSeconds << " s), last " << since_live_pass
            << " s before the end; " << backfill_done << " of " << backfill_windows
            << " backfill windows read" << std::endl;
}

// --- 1d. systemd: READY, WATCHDOG, STOPPING ----------------------------------------------------

// Plays systemd's side of sd_notify(3): a datagram socket the daemon finds in $NOTIFY_SOCKET.
class NotifySocket {
 public:
  NotifySocket() : path_("/tmp/insights-notify-" + std::to_string(getpid()) + ".sock") {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot bind " + path_);
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  const std::string& path() const { return path_; }

  // Messages until one contains `wanted` (returned last), or every message by the deadline.
  std::vector<std::string> until(const std::string& wanted, milliseconds timeout) {
    std::vector<std::string> messages;
    const auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      pollfd ready{fd_, POLLIN, 0};
      const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
      if (::poll(&ready, 1, static_cast<int>(std::max<long long>(left.count(), 1))) <= 0)
        continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0)
        continue;
      messages.emplace_back(buffer, static_cast<std::size_t>(n));
      if (contains(messages.back(), wanted))
        break;
    }
    return messages;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST_F(DaemonProcessTest, AsASystemdServiceItSaysReadyFeedsTheWatchdogAndSaysStopping) {
  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now);
  const std::string config = write_config(
      dir, "sync.toml", daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 2, {}));
  NotifySocket manager;
  ChildProcess daemon(INSIGHTS_SYNC_BINARY, {"--config", config, "run"}, dir + "/daemon.log",
                      {{kSyncConfigSecretEnv, kSimToken},
                       {"NOTIFY_SOCKET", manager.path()},
                       {"WATCHDOG_USEC", "1000000"}});
  const auto ready = manager.until("READY=1", 30s);
  ASSERT_FALSE(ready.empty()) << daemon.output();
  ASSERT_TRUE(contains(ready.back(), "READY=1")) << daemon.output();
  EXPECT_TRUE(contains(ready.back(), "STATUS=syncing 1 source as test-instance")) << ready.back();
  EXPECT_EQ(ready.size(), 1u) << "nothing before READY=1: " << ready.front();
  // Half the watchdog interval: a ping every 0.5 s, from the event loop.
  const auto pings = manager.until("WATCHDOG=1", 3s);
  ASSERT_FALSE(pings.empty());
  EXPECT_TRUE(contains(pings.back(), "WATCHDOG=1"));
  const auto more = manager.until("WATCHDOG=1", 3s);
  ASSERT_FALSE(more.empty());
  EXPECT_TRUE(contains(more.back(), "WATCHDOG=1")) << "the watchdog is fed again";

  daemon.send(SIGTERM);
  const auto stopping = manager.until("STOPPING=1", 10s);
  ASSERT_FALSE(stopping.empty());
  EXPECT_TRUE(contains(stopping.back(), "STOPPING=1")) << daemon.output();
  const auto end = daemon.wait_for(30s);
  ASSERT_TRUE(end) << daemon.output();
  EXPECT_EQ(end->exit_code, kExitOk) << daemon.output();
}

// --- 1e. SIGHUP reloads the configuration; SIGINT stops like SIGTERM ---------------------------

TEST_F(DaemonProcessTest, SighupAddsAndRemovesSourcesKeepsABadConfigOutAndSigintStops) {
  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now);
  const SyncConfig base =
      daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 3, {kFreshSchedule});
  // The same account under a second name: a source of its own for the scheduler.
  const std::string one = write_config(dir, "one.toml", base);
  std::ifstream one_in(one);
  const std::string one_text((std::istreambuf_iterator<char>(one_in)),
                             std::istreambuf_iterator<char>());
  const std::string source_a = one_text.substr(one_text.find("[[source]]"));
  std::string source_b = source_a;
  source_b.replace(source_b.find("name = \"sim\""), 12, "name = \"sim-b\"");
  const std::string header = one_text.substr(0, one_text.find("[[source]]"));
  const std::string config = dir + "/sync.toml";
  std::ofstream(config) << one_text;

  auto daemon = start_insights_sync(dir, "daemon.log", {"--config", config, "run"}, kSimToken);
  const auto windows_of = [this](const std::string& source) {
    return number(*pg, "SELECT count(*) FROM work_items WHERE source = '" + source +
                           "' AND passes_completed > 0");
  };
  ASSERT_TRUE(eventually([&] { return windows_of("sim") >= 4; }, 30s)) << daemon->output();

  // Add a source.
  std::ofstream(config) << header << source_a << source_b;
  daemon->send(SIGHUP);
  ASSERT_TRUE(eventually([&] { return windows_of("sim-b") >= 4; }, 30s)) << daemon->output();
  EXPECT_TRUE(contains(daemon->output(), "configuration reloaded; 0 sources stopped, 1 started"))
      << daemon->output();

  // A configuration that does not load changes nothing.
  std::ofstream(config) << header << "[[source]]\nname = 42\n";
  daemon->send(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] { return contains(daemon->output(), "does not load, keeping the running one"); }, 10s))
      << daemon->output();
  EXPECT_TRUE(daemon->running());

  // Remove the first source: it stops and hands back its leases; the other goes on.
  std::ofstream(config) << header << source_b;
  daemon->send(SIGHUP);
  ASSERT_TRUE(
      eventually([&] { return contains(daemon->output(), "1 source stopped, 0 started"); }, 10s))
      << daemon->output();
  ASSERT_TRUE(eventually(
      [&] {
        return number(*pg,
                      "SELECT count(*) FROM work_items WHERE source = 'sim'"
                      " AND lease_owner IS NOT NULL") == 0;
      },
      10s));
  EXPECT_TRUE(daemon->running());

  daemon->send(SIGINT);
  const auto end = daemon->wait_for(30s);
  ASSERT_TRUE(end) << daemon->output();
  EXPECT_EQ(end->exit_code, kExitOk) << daemon->output();
  EXPECT_EQ(number(*pg, "SELECT count(*) FROM work_items WHERE lease_owner IS NOT NULL"), 0)
      << "every lease released at the stop";
}

// --- 1f. logs: JSON lines with fields, and never a secret ----------------------------------------

TEST_F(DaemonProcessTest, JsonLogsCarryFieldsAndNoLineEverHoldsTheSecret) {
  const std::string secret = "proc-log-secret-8e1f";
  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now, {"--credential", std::string(kSimAccount) + ":" + secret});
  const std::string config = write_config(
      dir, "sync.toml",
      daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 3, {kFreshSchedule}));
  std::ofstream(config, std::ios::app) << "[log]\nformat = \"json\"\nlevel = \"trace\"\n";
  const ChildResult run =
      insights_sync(dir, "sync.log", {"--config", config, "sync", "--once"}, secret);
  ASSERT_EQ(exit_code(run), kExitOk) << describe(run);

  // The header value the daemon sent, in every form it could leak.
  const std::string authorization = basic_authorization(kSimAccount, secret);
  std::istringstream lines(run.output);
  std::string line;
  int count = 0, window_lines = 0;
  while (std::getline(lines, line)) {
    ++count;
    rapidjson::Document json;
    json.Parse(line.c_str());
    ASSERT_FALSE(json.HasParseError()) << "not JSON: " << line;
    ASSERT_TRUE(json.HasMember("time") && json.HasMember("level") && json.HasMember("message"))
        << line;
    EXPECT_FALSE(contains(line, secret)) << line;
    EXPECT_FALSE(contains(line, authorization.substr(6))) << line;  // the base64 part
    EXPECT_FALSE(contains(line, "Authorization")) << line;
    if (contains(json["message"].GetString(), " read (pass ")) {
      ++window_lines;
      EXPECT_TRUE(json.HasMember("source") && json.HasMember("window")) << line;
    }
  }
  EXPECT_GE(window_lines, 3) << "one line per window read:\n" << run.output;
  std::cout << "[ logs     ] " << count << " JSON lines at trace level, " << window_lines
            << " window lines; no secret, no Authorization header" << std::endl;
}

// --- 1g. the operators' endpoint
// ------------------------------------------------------------------

// `name{labels} value` (labels optional), as the Prometheus text format writes a sample.
// (No std::regex: GCC 12 rule 6, docs/development.md.)
bool is_prometheus_sample(const std::string& line) {
  std::size_t at = 0;
  const auto name_char = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  while (at < line.size() && name_char(line[at], at == 0))
    ++at;
  if (at == 0)
    return false;
  if (at < line.size() && line[at] == '{') {
    at = line.find('}', at);
    if (at == std::string::npos)
      return false;
    ++at;
  }
  if (at >= line.size() || line[at] != ' ')
    return false;
  const std::string value = line.substr(at + 1);
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  return !value.empty() && end == value.c_str() + value.size();
}

// The port the daemon's log says its endpoint listens on; 0 while it has not said so yet.
unsigned short metrics_port(const std::string& log) {
  const std::string marker = "metrics on http://127.0.0.1:";
  const std::size_t at = log.find(marker);
  return at == std::string::npos
             ? 0
             : static_cast<unsigned short>(std::stoi(log.substr(at + marker.size())));
}

TEST_F(DaemonProcessTest, MetricsHealthAndReadinessAnswerDuringASync) {
  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now, {"--calls-per-hour", "2000"});
  const std::string config = write_config(
      dir, "sync.toml", daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 6, {}));
  auto daemon = start_insights_sync(dir, "daemon.log", {"--config", config, "run"}, kSimToken);
  ASSERT_TRUE(eventually([&] { return metrics_port(daemon->output()) != 0; }, 20s))
      << daemon->output();
  HttpClientOptions options;
  options.port = metrics_port(daemon->output());
  HttpTestClient client(options);
  ASSERT_TRUE(eventually(
      [&] { return number(*pg, "SELECT count(*) FROM work_items WHERE passes_completed > 0") > 2; },
      30s));

  const HttpResult health = client.get("/healthz");
  EXPECT_EQ(health.status, 200) << health.error;
  const HttpResult ready = client.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  const HttpResult missing = client.get("/nothing");
  EXPECT_EQ(missing.status, 404);

  const HttpResult scrape = client.get("/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.error;
  // Prometheus text format: comments (# HELP, # TYPE) or `name{labels} value`.
  std::istringstream lines(scrape.body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE "))
      continue;
    EXPECT_TRUE(is_prometheus_sample(line)) << "not a sample: " << line;
    ++samples;
  }
  EXPECT_GT(samples, 10);
  for (const char* wanted :
       {"insights_pages_fetched_total{source=\"sim\"}",
        "insights_rows_fetched_total{source=\"sim\"}",
        "insights_rows_written_total{outcome=\"inserted\",source=\"sim\"}",
        "insights_http_requests_total{source=\"sim\",status_class=\"2xx\",twilio_code=\"\"}",
        "insights_concurrency{source=\"sim\"}",
        "insights_seconds_since_last_commit{source=\"sim\"}",
        "insights_work_items{kind=\"live\",source=\"sim\",state=",
        "insights_partial_rows{source=\"sim\"}",
        "insights_oldest_unsettled_window_age_seconds{source=\"sim\"}",
        "insights_build_info{revision=\""}) {
    EXPECT_TRUE(contains(scrape.body, wanted)) << wanted << "\n" << scrape.body;
  }

  daemon->send(SIGTERM);
  const auto end = daemon->wait_for(30s);
  ASSERT_TRUE(end) << daemon->output();
  EXPECT_EQ(end->exit_code, kExitOk) << daemon->output();
}

// --- 2. wrong credentials ----------------------------------------------------------------------

TEST_F(DaemonProcessTest, WrongCredentialsStopTheSourceAtOnceWithoutRetryingOrLeakingTheSecret) {
  const std::string secret = "proc-wrong-secret-4d2c";
  SimProcess sim(
      dir + "/sim", now_seconds(),
      {"--calls-per-hour", "120", "--credential", std::string(kSimAccount) + ":other-token"});
  const std::string config = write_config(
      dir, "sync.toml", daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 48, {}));
  const auto started = steady_clock::now();
  const ChildResult result =
      insights_sync(dir, "sync.log", {"--config", config, "sync", "--once"}, secret, 30s);
  const auto took = steady_clock::now() - started;

  EXPECT_EQ(exit_code(result), kExitSourceRefused) << describe(result);
  EXPECT_LT(took, 10s) << describe(result);
  EXPECT_TRUE(contains(result.output, "source sim")) << result.output;
  EXPECT_TRUE(contains(result.output, "check the source's account SID / API key and secret"))
      << result.output;
  EXPECT_FALSE(contains(result.output, secret)) << result.output;
  // No hot loop: at most one refused request per connection slot.
  const long long refused = sim.responses_with_status(401);
  EXPECT_GE(refused, 1);
  EXPECT_LE(refused, 4) << "requests refused with 401";
}

// --- 3. a certificate the daemon must not trust ------------------------------------------------

TEST_F(DaemonProcessTest, CertificateFromAnotherCaIsRefused) {
  SimProcess sim(dir + "/sim", now_seconds(), {"--calls-per-hour", "120"});
  const std::string config =
      write_config(dir, "sync.toml",
                   daemon_config(db->conninfo(), sim.base_url(), write_unrelated_ca(dir), 4, {}));
  const auto started = steady_clock::now();
  const ChildResult result =
      insights_sync(dir, "sync.log", {"--config", config, "sync", "--once"}, kSimToken, 30s);
  EXPECT_EQ(exit_code(result), kExitSourceRefused) << describe(result);
  EXPECT_LT(steady_clock::now() - started, 10s);
  EXPECT_TRUE(contains(result.output, "certificate")) << result.output;
  EXPECT_EQ(number(*pg, "SELECT count(*) FROM call_summaries"), 0);
  EXPECT_EQ(sim.counter("api_requests"), 0) << "no request got through the TLS handshake";
}

// --- 4. the API is down -----------------------------------------------------------------------

TEST_F(DaemonProcessTest, ApiThatRefusesConnectionsFailsTheWindowsAfterTheirAttempts) {
  const RefusingPort nothing_listens;
  const std::string config = write_config(
      dir, "sync.toml",
      daemon_config(db->conninfo(), "https://127.0.0.1:" + std::to_string(nothing_listens.port()),
                    write_unrelated_ca(dir), 1, {kFreshSchedule, "once_attempts = 2"}));
  const ChildResult result =
      insights_sync(dir, "sync.log", {"--config", config, "sync", "--once"}, kSimToken, 60s);
  EXPECT_EQ(exit_code(result), kExitWorkFailed) << describe(result);
  const std::string refused =
      "connecting to 127.0.0.1:" + std::to_string(nothing_listens.port()) + " failed";
  EXPECT_TRUE(contains(result.output, "still failing after 2 attempts: " + refused))
      << result.output;
  EXPECT_TRUE(contains(result.output, "Connection refused")) << result.output;

  // `status` shows what went wrong, for the window it went wrong in.
  const ChildResult status =
      insights_sync(dir, "status.log", {"--config", config, "status", "--json"}, kSimToken);
  ASSERT_EQ(exit_code(status), kExitOk) << describe(status);
  rapidjson::Document json;
  json.Parse(status.output.c_str());
  ASSERT_FALSE(json.HasParseError()) << status.output;
  ASSERT_TRUE(json["sources"].IsArray() && json["sources"].Size() == 1) << status.output;
  const auto& error = json["sources"][0]["last_error"];
  ASSERT_TRUE(error.IsObject()) << status.output;
  EXPECT_TRUE(contains(error["message"].GetString(), refused)) << status.output;
  EXPECT_TRUE(error["window_start"].IsString()) << status.output;
}

TEST_F(DaemonProcessTest, BackfillOfBrokenPagesEndsWithParkedWindowsAndAClearErrorThenLands) {
  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now, {"--fault", "malformed_rate=1"});
  const std::string config = write_config(
      dir, "sync.toml",
      daemon_config(db->conninfo(), sim.base_url(), sim.ca_file(), 0, {"park_after_attempts = 2"}));
  const std::vector<std::string> backfill = {"--config", config, "backfill", "--from",
                                             "4h",       "--to", "1h",       "--run"};
  const ChildResult broken = insights_sync(dir, "broken.log", backfill, kSimToken);
  EXPECT_EQ(exit_code(broken), kExitWorkFailed) << describe(broken);
  EXPECT_TRUE(contains(broken.output, "parked; `insights-sync status` shows why")) << broken.output;
  const long long parked = number(*pg, "SELECT count(*) FROM work_items WHERE state = 'parked'");
  EXPECT_GE(parked, 3);

  // The API mends; the same backfill again gives the parked windows another chance.
  sim.admin_post("/_sim/faults?malformed_rate=0");
  const ChildResult mended = insights_sync(dir, "mended.log", backfill, kSimToken);
  EXPECT_EQ(exit_code(mended), kExitOk) << describe(mended);
  EXPECT_EQ(number(*pg, "SELECT count(*) FROM work_items WHERE state = 'parked'"), 0);
  EXPECT_EQ(number(*pg, "SELECT count(*) FROM call_summaries"),
            number(*pg, "SELECT sum(rows_inserted) FROM work_items"));
  EXPECT_GT(number(*pg, "SELECT count(*) FROM call_summaries"), 0);
}

// --- 5. PostgreSQL is down at start -----------------------------------------------------------

TEST(DaemonProcess, UnreachableDatabaseAtStartExitsWithTheDatabaseCode) {
  const TestDir test_dir{"daemon-process"};
  const std::string& dir = test_dir.path();
  const std::string config =
      write_config(dir, "sync.toml", daemon_config("", "https://127.0.0.1:1", "", 1, {}));
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"sync", "--once"}, std::vector<std::string>{"run"}}) {
    std::vector<std::string> arguments{"--config", config, "--database-url",
                                       "host=/nonexistent port=1"};
    arguments.insert(arguments.end(), command.begin(), command.end());
    const ChildResult result =
        insights_sync(dir, command.front() + ".log", arguments, kSimToken, 30s);
    EXPECT_EQ(exit_code(result), kExitDatabase) << command.front() << ": " << describe(result);
    EXPECT_TRUE(contains(result.output, "cannot connect to PostgreSQL"))
        << command.front() << ": " << result.output;
  }
}

// --- 6. PostgreSQL goes away while the daemon runs --------------------------------------------

// A new connection per question: the server may have gone away since the last one.
std::optional<long long> number_if_up(const std::string& conninfo, const std::string& sql) {
  try {
    pqxx::connection connection(conninfo);
    return number(connection, sql);
  } catch (const std::exception&) {
    return std::nullopt;  // down or still recovering: the caller polls again
  }
}

TEST(DaemonProcess, DaemonRidesOutADatabaseOutageAndCatchesUp) {
  const TestDir test_dir{"daemon-process"};
  const std::string& dir = test_dir.path();
  // Short: the socket path (dir + "/.s.PGSQL.PORT") must fit in 107 bytes.
  PrivatePgCluster cluster("/tmp/ipg-" + std::to_string(getpid()));
  cluster.create_database("insights");
  const std::string conninfo = cluster.conninfo("insights");
  const ChildResult migrate =
      insights_sync(dir, "migrate.log", {"--database-url", conninfo, "migrate"}, "");
  ASSERT_EQ(exit_code(migrate), kExitOk) << describe(migrate);

  const UtcSeconds sim_now = now_seconds();
  SimProcess sim(dir + "/sim", sim_now, {"--calls-per-hour", kBusySimCallsPerHour});
  const std::string config = write_config(
      dir, "run.toml", daemon_config(conninfo, sim.base_url(), sim.ca_file(), 24, kRereadOften));
  auto daemon = start_insights_sync(dir, "run.log", {"--config", config, "run"}, kSimToken);

  const auto rows = [&] { return number_if_up(conninfo, "SELECT count(*) FROM call_summaries"); };
  // Crash the server in the middle of the first read of the ~48,000 rows.
  ASSERT_TRUE(eventually([&] { return rows().value_or(0) >= 10'000 || !daemon->running(); }, 60s));
  ASSERT_TRUE(daemon->running()) << daemon->output();
  const long long rows_before_outage = rows().value_or(0);
  const std::size_t output_before_outage = daemon->output().size();
  cluster.crash();

  // The daemon stays up through the outage and says what is wrong.
  const auto outage_log = [&] { return daemon->output().substr(output_before_outage); };
  EXPECT_TRUE(eventually([&] { return contains(outage_log(), "PostgreSQL"); }, 20s))
      << outage_log();
  EXPECT_FALSE(eventually([&] { return !daemon->running(); }, 3s))
      << "the daemon exited during the outage: " << daemon->output();
  ASSERT_TRUE(daemon->running()) << daemon->output();

  cluster.restart();
  // It catches up: every window read completely at least once.
  const bool caught_up = eventually(
      [&] {
        const auto unread =
            number_if_up(conninfo,
                         "SELECT count(*) FROM work_items WHERE passes_completed = 0"
                         " OR page_cursor IS NOT NULL");
        const auto windows = number_if_up(conninfo, "SELECT count(*) FROM work_items");
        return (unread && *unread == 0 && windows.value_or(0) > 0) || !daemon->running();
      },
      90s, 200ms);
  ASSERT_TRUE(caught_up) << daemon->output();
  ASSERT_TRUE(daemon->running()) << daemon->output();

  daemon->send(SIGTERM);
  const auto end = daemon->wait_for(30s);
  ASSERT_TRUE(end) << "no exit within 30 s of SIGTERM: " << daemon->output();
  EXPECT_TRUE(end->exited && end->exit_code == kExitOk) << end->describe() << "\n"
                                                        << daemon->output();

  pqxx::connection pg(conninfo);
  EXPECT_EQ(number(pg, "SELECT count(*) FROM call_summaries"),
            number(pg, "SELECT sum(rows_inserted) FROM work_items"));
  const UtcSeconds from = compared_range_start(pg, sim_now, 24h);
  const Comparison check =
      compare_with_truth(stored_digests(pg, "start_time", from, sim_now), sim.truth(from, sim_now));
  EXPECT_TRUE(check.equal()) << check.describe();
  std::cout << "[ outage   ] " << rows_before_outage << " rows before the outage; "
            << check.compared
            << " rows compared with the truth after catching up: " << check.missing << " missing, "
            << check.different << " different, " << check.extra << " extra" << std::endl;
}

}  // namespace
}  // namespace insights::testing
