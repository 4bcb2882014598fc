// Database faults during a real sync (the real insights-sync and insights-sim binaries, a real
// PostgreSQL): the daemon's connections killed with pg_terminate_backend while they are inside
// a transaction, again and again, then a clean server restart; a statement timeout and a lock
// timeout while another session holds a lock on call_summaries. Each time: the failure is
// logged with its reason and retried with backoff, the daemon never exits, and the warehouse
// ends equal to the sim's truth field by field.
// (A server crash mid-run: daemon_process_tests; one terminated connection: sink_pg_tests.)
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <future>
#include <iostream>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <thread>

#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
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

std::optional<long long> number_if_up(const std::string& conninfo, const std::string& sql) {
  try {
    pqxx::connection connection(conninfo);
    const auto row = pqxx::nontransaction(connection).exec1(sql);
    return row[0].is_null() ? 0 : row[0].as<long long>();
  } catch (const std::exception&) {
    return std::nullopt;  // down or restarting: the caller polls again
  }
}

// Every window read completely at least once and none in the middle of a pass.
bool caught_up(const std::string& conninfo) {
  const auto unread = number_if_up(conninfo,
                                   "SELECT count(*) FROM work_items WHERE passes_completed = 0"
                                   " OR page_cursor IS NOT NULL");
  const auto windows = number_if_up(conninfo, "SELECT count(*) FROM work_items");
  return unread && *unread == 0 && windows.value_or(0) > 0;
}

int count_of(const std::string& text, const std::string& part) {
  int count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++count;
  return count;
}

// The warehouse against the truth over every window the daemon read.
void expect_equal_to_truth(const std::string& conninfo, SimProcess& sim) {
  pqxx::connection pg(conninfo);
  const auto first = pqxx::nontransaction(pg).exec1(
      "SELECT extract(epoch FROM min(window_start))::bigint FROM work_items");
  const UtcSeconds from{seconds(first[0].as<long long>())};
  const Comparison check = compare_with_truth(stored_digests(pg, "start_time", from, sim.now()),
                                              sim.truth(from, sim.now()));
  EXPECT_TRUE(check.equal()) << check.describe();
  EXPECT_GT(check.compared, 1000);
}

void stop_daemon(ChildProcess& daemon) {
  daemon.send(SIGTERM);
  const auto end = daemon.wait_for(30s);
  ASSERT_TRUE(end) << "no exit within 30 s of SIGTERM: " << daemon.output();
  EXPECT_TRUE(end->exited && end->exit_code == kExitOk) << end->describe() << daemon.output();
}

TEST(DatabaseFaults, ConnectionsKilledMidTransactionAndARestartAreRiddenOut) {
  const TestDir test_dir{"db-faults"};
  const std::string& dir = test_dir.path();
  PrivatePgCluster cluster("/tmp/dbf-" + std::to_string(getpid()));
  cluster.create_database("insights");
  const std::string conninfo = cluster.conninfo("insights");
  const ChildResult migrate = run_child(
      INSIGHTS_SYNC_BINARY, {"--database-url", conninfo, "migrate"}, dir + "/migrate.log", {}, 60s);
  ASSERT_TRUE(migrate.exit && migrate.exit->exit_code == kExitOk) << migrate.output;

  SimProcess sim(dir + "/sim", floor<seconds>(system_clock::now()), {"--calls-per-hour", "4000"});
  SyncConfig config;
  config.database_url = conninfo;
  config.api_url = sim.base_url();
  config.ca_file = sim.ca_file();
  config.lookback_hours = 8;  // about 16,000 rows of the parent account
  config.sync_lines = {kFreshSchedule, "poll_interval_seconds = 1", "reread_interval_seconds = 10",
                       "settle_after_minutes = 2880"};
  const std::string path = config.write(dir + "/run.toml");
  ChildProcess daemon(INSIGHTS_SYNC_BINARY, {"--config", path, "run"}, dir + "/run.log",
                      {{kSyncConfigSecretEnv, kSimToken}});

  // Once it syncs (a connection lost during the start-up checks is exit 3, like a database
  // down at start), kill the daemon's backends while they are inside a transaction (a page's
  // COPY, merge or cursor update, a claim), as often as one is found, until 12 are dead.
  ASSERT_TRUE(eventually(
      [&] {
        return daemon.output().find(" read (pass ") != std::string::npos || !daemon.running();
      },
      30s))
      << daemon.output();
  pqxx::connection killer(conninfo);
  constexpr int kKills = 12;
  int kills = 0;
  const auto killing_until = steady_clock::now() + 20s;
  while (kills < kKills && steady_clock::now() < killing_until && daemon.running()) {
    const auto killed = pqxx::nontransaction(killer).exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = 'insights-sync' AND xact_start IS NOT NULL"
        "   AND pid <> pg_backend_pid() LIMIT 1");
    if (!killed.empty() && killed[0][0].as<bool>())
      ++kills;
    std::this_thread::sleep_for(killed.empty() ? 10ms : 150ms);
  }
  ASSERT_TRUE(daemon.running()) << daemon.output();
  EXPECT_EQ(kills, kKills) << "found too few transactions to kill";

  // Then the whole server goes away cleanly and comes back.
  cluster.stop();
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(daemon.running()) << "exited while the server was down: " << daemon.output();
  cluster.restart();

  ASSERT_TRUE(eventually([&] { return caught_up(conninfo) || !daemon.running(); }, 60s, 200ms))
      << daemon.output();
  ASSERT_TRUE(daemon.running()) << daemon.output();
  stop_daemon(daemon);
  const std::string log = daemon.output();
  // A terminated backend shows as whichever libpq noticed first: the server's notice, a
  // connection closed mid-statement, or one found closed before the next.
  const int disconnects = count_of(log, "terminating connection due to administrator command") +
                          count_of(log, "server closed the connection unexpectedly") +
                          count_of(log, "not connected");
  EXPECT_GE(disconnects, 1) << log;
  EXPECT_GE(count_of(log, "retrying in"), 1) << log;
  EXPECT_EQ(count_of(log, "internal error"), 0) << log;
  expect_equal_to_truth(conninfo, sim);
  std::cout << "[ db fault ] " << kills << " backends terminated mid-transaction and a restart; "
            << count_of(log, "retrying in") << " logged retries; warehouse equals the truth"
            << std::endl;
}

// Holds LOCK TABLE call_summaries for `hold` in a session of its own; the future is ready once
// the lock is held.
std::thread hold_lock(const std::string& conninfo, milliseconds hold, std::promise<void>& held) {
  return std::thread([conninfo, hold, &held] {
    bool locked = false;
    try {
      pqxx::connection connection(conninfo);
      pqxx::work transaction(connection);
      transaction.exec0("SET LOCAL statement_timeout = 0");
      transaction.exec0("LOCK TABLE call_summaries IN ACCESS EXCLUSIVE MODE");
      locked = true;
      held.set_value();
      std::this_thread::sleep_for(hold);
      transaction.commit();
    } catch (...) {
      if (!locked)
        held.set_exception(std::current_exception());  // the test's get() rethrows it
    }
  });
}

class HeldLockTest : public PgTest {
 protected:
  // `sync --once` with `timeouts` (libpq `options`) while another session holds a lock on
  // call_summaries for 3 s: every timed-out statement is logged with `reason` and retried.
  void sync_through_a_held_lock(const std::string& timeouts, const std::string& reason) {
    const TestDir test_dir{"held-lock"};
    const std::string& dir = test_dir.path();
    SimProcess sim(dir + "/sim", floor<seconds>(system_clock::now()), {"--calls-per-hour", "1000"});
    SyncConfig config;
    config.database_url = db->conninfo() + " options='" + timeouts + "'";
    config.api_url = sim.base_url();
    config.ca_file = sim.ca_file();
    config.lookback_hours = 6;
    // Fresh: `sync --once` reads every window of the lookback, the newest too.
    config.sync_lines = {kFreshSchedule, "once_attempts = 20"};
    const std::string path = config.write(dir + "/sync.toml");

    std::promise<void> held;
    std::thread locker = hold_lock(db->conninfo(), 3s, held);
    auto lock_taken = held.get_future();
    lock_taken.wait();
    try {
      lock_taken.get();
    } catch (...) {
      locker.join();
      throw;  // the lock could not be taken: the test fails with the reason
    }
    const ChildResult result =
        run_child(INSIGHTS_SYNC_BINARY, {"--config", path, "sync", "--once"}, dir + "/sync.log",
                  {{kSyncConfigSecretEnv, kSimToken}}, 60s);
    locker.join();
    ASSERT_TRUE(result.exit && result.exit->exited) << result.output;
    EXPECT_EQ(result.exit->exit_code, kExitOk) << result.output;
    const int timed_out = count_of(result.output, reason);
    EXPECT_GE(timed_out, 1) << result.output;
    EXPECT_GE(count_of(result.output, "retrying in"), timed_out) << result.output;
    expect_equal_to_truth(db->conninfo(), sim);
    std::cout << "[ db fault ] a 3 s lock: " << timed_out << " statements \"" << reason
              << "\", each retried; warehouse equals the truth" << std::endl;
  }
};

TEST_F(HeldLockTest, AStatementTimeoutIsLoggedAndRetriedThenConverges) {
  sync_through_a_held_lock("-c statement_timeout=1000",
                           "canceling statement due to statement timeout");
}

TEST_F(HeldLockTest, ALockTimeoutIsLoggedAndRetriedThenConverges) {
  sync_through_a_held_lock("-c lock_timeout=500", "canceling statement due to lock timeout");
}

}  // namespace
}  // namespace insights::testing
