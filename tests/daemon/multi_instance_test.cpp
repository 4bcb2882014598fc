// Several `insights-sync run` processes against one database share the work: three real daemons
// against the real insights-sim over TLS and a private PostgreSQL cluster, one of them killed
// with SIGKILL while it holds leases. The survivors must take its windows over once its leases
// expire, the warehouse must converge to the sim's truth, and at no instant may two instances
// own one work item.
//
// Evidence comes from the database itself: a trigger that lives only in this test's database
// (not in the product schema) records every change of a work item's lease owner and every page
// commit, with the server's clock_timestamp() and the database role of the session that made it.
// Each instance connects as a role named like its instance, so the history says which process
// made each change independently of what the daemon wrote into lease_owner.
//
// The sim's clock is frozen at the test's start instant, so its truth is fixed while the
// daemons read, and "equals the truth" means same calls, same content hash, nothing extra.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <sstream>
#include <string>
#include <vector>

#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/private_pg_cluster.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Instance names, which are also the database roles the instances log in as.
const std::vector<std::string> kInstances = {"worker_a", "worker_b", "worker_c"};

constexpr int kLeaseSeconds = 5;  // the shortest lease the config accepts
constexpr int kLookbackHours = 6;
constexpr int kWindowMinutes = 15;  // 6 h of 15-minute windows: 25 work items
// 2,500 calls per 15-minute window: three pages of 1,000 rows each, and every API request is
// held 150..300 ms, so a first pass takes seconds and the kill lands in the middle of it.
const std::vector<std::string> kSimArguments = {
    "--calls-per-hour", "10000",          "--subaccounts", "0",
    "--fault",          "latency_ms=150", "--fault",       "latency_jitter_ms=150"};
// Kill once this many pages are committed (a first pass is about 75 pages).
constexpr long long kKillAfterPages = 15;
// Generous: normally the survivors converge within a few seconds of the lease expiring.
constexpr auto kConvergenceDeadline = 150s;

// The lease-history recorder. AFTER UPDATE, so it sees what the statement wrote; the rows it
// inserts commit or roll back with the change they describe. Updates of one work item are
// serialized by its row lock, so per item the history is in order of (at, id).
constexpr const char* kLeaseRecorderSql = R"sql(
CREATE TABLE lease_history (
    id             bigserial PRIMARY KEY,
    work_item_id   bigint NOT NULL,
    at             timestamptz NOT NULL,
    by_role        text NOT NULL,
    old_owner      text,
    old_expires_at timestamptz,
    new_owner      text,
    new_expires_at timestamptz);
CREATE TABLE page_commits (
    id               bigserial PRIMARY KEY,
    work_item_id     bigint NOT NULL,
    at               timestamptz NOT NULL,
    by_role          text NOT NULL,
    lease_owner      text,
    lease_expires_at timestamptz);
CREATE FUNCTION record_lease_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.lease_owner IS DISTINCT FROM OLD.lease_owner THEN
    INSERT INTO lease_history (work_item_id, at, by_role, old_owner, old_expires_at, new_owner,
                               new_expires_at)
    VALUES (NEW.id, clock_timestamp(), session_user, OLD.lease_owner, OLD.lease_expires_at,
            NEW.lease_owner, NEW.lease_expires_at);
  END IF;
  IF NEW.pages_read IS DISTINCT FROM OLD.pages_read THEN
    INSERT INTO page_commits (work_item_id, at, by_role, lease_owner, lease_expires_at)
    VALUES (NEW.id, clock_timestamp(), session_user, NEW.lease_owner, NEW.lease_expires_at);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER record_lease_history AFTER UPDATE ON work_items
    FOR EACH ROW EXECUTE FUNCTION record_lease_history();
)sql";

// The config of one instance; only the instance name and the database role differ between the
// three.
std::string write_config(const std::string& dir, const std::string& instance,
                         const std::string& database_url, const SimProcess& sim) {
  SyncConfig config;
  config.database_url = database_url;
  config.api_url = sim.base_url();
  config.ca_file = sim.ca_file();
  config.instance_name = instance;
  config.lookback_hours = kLookbackHours;
  // Windows stay open and are read again soon: leases keep changing hands all run long.
  config.sync_lines = {"lease_seconds = " + std::to_string(kLeaseSeconds),
                       "window_minutes = " + std::to_string(kWindowMinutes),
                       kFreshSchedule,
                       "poll_interval_seconds = 1",
                       "reread_interval_seconds = 20",
                       "settle_after_minutes = 2880"};
  config.source_lines = {"concurrency = 2"};
  return config.write(dir + "/" + instance + ".toml");
}

long long number(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  const auto row = tx.exec1(sql);
  return row[0].is_null() ? 0 : row[0].as<long long>();
}

// The first column of the first row as text; "" for NULL or no row.
std::string text(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  const pqxx::result rows = tx.exec(sql);
  return rows.empty() || rows[0][0].is_null() ? std::string() : rows[0][0].as<std::string>();
}

std::string quoted(const std::string& value) {
  return "'" + value + "'";
}

// Rows a check found wrong: how many, and the first few (one text column each) for messages.
struct Violations {
  std::size_t count = 0;
  std::string examples;
};

Violations violations(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  const pqxx::result rows = tx.exec(sql);
  Violations found;
  found.count = rows.size();
  for (std::size_t i = 0; i < rows.size() && i < 5; ++i)
    found.examples += "\n  " + rows[static_cast<pqxx::result::size_type>(i)][0].as<std::string>();
  return found;
}

// The range every window the daemons read covers and the sim's truth covers too: from the
// first window (or the lookback before the frozen sim clock, whichever is later) to the sim
// clock.
UtcSeconds compared_range_start(pqxx::connection& connection, UtcSeconds sim_now) {
  const UtcSeconds first{seconds(number(
      connection,
      "SELECT extract(epoch FROM min(window_start))::bigint FROM work_items WHERE kind = 'live'"))};
  return std::max(first, sim_now - hours(kLookbackHours));
}

std::size_t count_in(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++count;
  return count;
}

TEST(MultiInstance, ThreeInstancesShareTheWorkAndSurviveOneKilledMidRun) {
  const auto test_started = steady_clock::now();
  const TestDir test_dir{"multi-instance"};
  const std::string& dir = test_dir.path();

  // --- 1. PostgreSQL, schema, lease recorder, the sim ----------------------------------------
  // Short: the socket path (dir + "/.s.PGSQL.PORT") must fit in 107 bytes.
  PrivatePgCluster cluster("/tmp/imi-" + std::to_string(getpid()));
  cluster.create_database("insights");
  const std::string conninfo = cluster.conninfo("insights");
  const ChildResult migrate = run_child(
      INSIGHTS_SYNC_BINARY, {"--database-url", conninfo, "migrate"}, dir + "/migrate.log", {}, 60s);
  ASSERT_TRUE(migrate.exit && migrate.exit->exited && migrate.exit->exit_code == kExitOk)
      << migrate.output;
  pqxx::connection pg(conninfo);
  {
    pqxx::nontransaction setup(pg);
    setup.exec0(kLeaseRecorderSql);
    for (const auto& instance : kInstances)
      setup.exec0("CREATE ROLE " + instance + " LOGIN SUPERUSER");
  }

  const UtcSeconds sim_now = floor<seconds>(system_clock::now());
  SimProcess sim(dir + "/sim", sim_now, kSimArguments);

  // --- 2. three daemons; kill one that holds leases mid-run -----------------------------------
  std::vector<std::unique_ptr<ChildProcess>> daemons;
  for (const auto& instance : kInstances) {
    // Later keywords win in a libpq connection string: this instance logs in as its own role.
    const std::string config = write_config(dir, instance, conninfo + " user=" + instance, sim);
    daemons.push_back(std::make_unique<ChildProcess>(
        INSIGHTS_SYNC_BINARY, std::vector<std::string>{"--config", config, "run"},
        dir + "/" + instance + ".log",
        std::map<std::string, std::string>{{kSyncConfigSecretEnv, kSimToken}}));
  }
  const auto all_running = [&] {
    return std::all_of(daemons.begin(), daemons.end(), [](auto& d) { return d->running(); });
  };
  const auto outputs = [&] {
    std::string all;
    for (std::size_t i = 0; i < daemons.size(); ++i) {
      const auto end = daemons[i]->wait_for(0ms);
      all += "--- " + kInstances[i] + " (" + (end ? end->describe() : "running") + "):\n" +
             daemons[i]->output();
    }
    return all;
  };

  const bool working = eventually(
      [&] {
        return number(pg, "SELECT sum(pages_read) FROM work_items") >= kKillAfterPages ||
               !all_running();
      },
      60s, 50ms);
  ASSERT_TRUE(working) << "fewer than " << kKillAfterPages << " pages committed in 60 s\n"
                       << outputs();
  ASSERT_TRUE(all_running()) << outputs();

  // Freeze the instance holding the most live leases, check it still holds one, then kill it
  // (a frozen process cannot release its leases between the check and the kill). For the first
  // seconds only a lease on a window in mid-pass counts, so the survivors must resume a pass at
  // its stored cursor; after that any live lease does.
  std::size_t victim = kInstances.size();
  const auto prefer_mid_pass_until = steady_clock::now() + 10s;
  const auto held = [&](const std::string& owner_condition) {
    const bool mid_pass_only = steady_clock::now() < prefer_mid_pass_until;
    return text(pg, "SELECT lease_owner FROM work_items WHERE " + owner_condition +
                        " AND lease_expires_at > clock_timestamp()" +
                        (mid_pass_only ? " AND page_cursor IS NOT NULL" : "") +
                        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
  };
  const bool picked = eventually(
      [&] {
        const std::string busiest = held("lease_owner IS NOT NULL");
        const auto at = std::find(kInstances.begin(), kInstances.end(), busiest);
        if (at == kInstances.end())
          return false;
        const auto index = static_cast<std::size_t>(at - kInstances.begin());
        daemons[index]->send(SIGSTOP);
        if (held("lease_owner = " + quoted(busiest)) == busiest) {
          victim = index;
          return true;
        }
        daemons[index]->send(SIGCONT);
        return false;
      },
      30s, 20ms);
  ASSERT_TRUE(picked) << "no instance held a live lease for 30 s\n" << outputs();
  const std::string killed = kInstances[victim];
  const ChildExit end = daemons[victim]->kill_now();
  ASSERT_FALSE(end.exited) << killed << " had exited: " << end.describe() << "\n"
                           << daemons[victim]->output();
  // The kill instant: once the server has dropped every session of the killed instance,
  // nothing it sent can still commit.
  ASSERT_TRUE(eventually(
      [&] {
        return number(pg, "SELECT count(*) FROM pg_stat_activity WHERE usename = " +
                              quoted(killed)) == 0;
      },
      30s))
      << "the server kept sessions of the killed instance " << killed;
  const std::string killed_at = text(pg, "SELECT clock_timestamp()::text");
  const std::string killed_items = text(
      pg, "SELECT coalesce(string_agg(id::text, ','), '0') FROM work_items WHERE lease_owner = " +
              quoted(killed));
  const long long leases_at_kill =
      number(pg, "SELECT count(*) FROM work_items WHERE lease_owner = " + quoted(killed));
  const long long mid_pass_at_kill =
      number(pg, "SELECT count(*) FROM work_items WHERE lease_owner = " + quoted(killed) +
                     " AND page_cursor IS NOT NULL");
  const long long unread_at_kill =
      number(pg, "SELECT count(*) FROM work_items WHERE passes_completed = 0");
  const long long pages_at_kill = number(pg, "SELECT sum(pages_read) FROM work_items");
  std::cout << "[ multi    ] killed " << killed << " after " << pages_at_kill
            << " pages committed; it held " << leases_at_kill << " lease(s) (" << mid_pass_at_kill
            << " mid-pass); " << unread_at_kill << " window(s) not yet read once" << std::endl;
  EXPECT_GT(unread_at_kill, 0) << "the kill should land before every window was read once";

  // --- 3. the survivors converge to the truth -------------------------------------------------
  const auto deadline = steady_clock::now() + kConvergenceDeadline;
  const auto remaining = [&] { return deadline - steady_clock::now(); };
  const auto survivors_running = [&] {
    for (std::size_t i = 0; i < daemons.size(); ++i) {
      if (i != victim && !daemons[i]->running())
        return false;
    }
    return true;
  };
  // Every window read at least once, and every window the killed instance held at its kill
  // taken over and read on by a survivor.
  const std::string unread = "SELECT count(*) FROM work_items WHERE passes_completed = 0";
  const std::string not_taken_over =
      "SELECT count(*) FROM work_items w WHERE w.id IN (" + killed_items +
      ") AND NOT EXISTS (SELECT 1 FROM page_commits c WHERE c.work_item_id = w.id AND c.at >= " +
      quoted(killed_at) + "::timestamptz AND c.by_role <> " + quoted(killed) + ")";
  const bool read_everything = eventually(
      [&] {
        return !survivors_running() || (number(pg, unread) == 0 && number(pg, not_taken_over) == 0);
      },
      duration_cast<milliseconds>(remaining()), 200ms);
  ASSERT_TRUE(survivors_running()) << outputs();
  ASSERT_TRUE(read_everything) << "within " << kConvergenceDeadline.count()
                               << " s the survivors did not read every window ("
                               << number(pg, unread) << " unread) or did not take over and "
                               << "read on the killed instance's windows ("
                               << number(pg, not_taken_over) << " of " << leases_at_kill
                               << " not)\n"
                               << outputs();

  const UtcSeconds from = compared_range_start(pg, sim_now);
  const SummaryDigests truth = sim.truth(from, sim_now);
  ASSERT_GT(truth.size(), 40'000u) << "the sim should hold a busy data set";
  Comparison check;
  // The truth is frozen and every window has been read, so one comparison should do; a few
  // more tries only cover a page of a re-read landing between the queries.
  const bool converged = eventually(
      [&] {
        check = compare_with_truth(stored_digests(pg, "start_time", from, sim_now), truth);
        return check.equal() || !survivors_running();
      },
      duration_cast<milliseconds>(std::max<steady_clock::duration>(remaining(), 5s)), 500ms);
  ASSERT_TRUE(converged && check.equal())
      << "the warehouse did not converge to the truth: " << check.describe() << "\n"
      << outputs();
  EXPECT_EQ(number(pg, "SELECT count(*) FROM call_summaries"),
            number(pg, "SELECT sum(rows_inserted) FROM work_items"))
      << "every stored row was counted by the one page commit that inserted it";

  // --- 4. the survivors stop cleanly ---------------------------------------------------------
  for (std::size_t i = 0; i < daemons.size(); ++i) {
    if (i != victim)
      daemons[i]->send(SIGTERM);
  }
  for (std::size_t i = 0; i < daemons.size(); ++i) {
    if (i == victim)
      continue;
    const auto stopped = daemons[i]->wait_for(30s);
    ASSERT_TRUE(stopped) << kInstances[i] << " did not exit within 30 s of SIGTERM\n"
                         << daemons[i]->output();
    EXPECT_TRUE(stopped->exited && stopped->exit_code == kExitOk)
        << kInstances[i] << ": " << stopped->describe() << "\n"
        << daemons[i]->output();
  }

  // --- 5. the lease history ------------------------------------------------------------------
  const std::string killed_q = quoted(killed);
  const std::string killed_at_q = quoted(killed_at) + "::timestamptz";
  const auto describe_lease =
      std::string("format('item %s at %s by %s: %s (until %s) -> %s (until %s)', work_item_id, ") +
      "at, by_role, coalesce(old_owner, '-'), coalesce(old_expires_at::text, '-'), " +
      "coalesce(new_owner, '-'), coalesce(new_expires_at::text, '-'))";
  const auto describe_commit =
      std::string("format('commit on item %s at %s by %s, lease %s until %s', work_item_id, at, ") +
      "by_role, coalesce(lease_owner, '-'), coalesce(lease_expires_at::text, '-'))";

  // (a) A takeover (one owner to another, no release between) only after the old lease
  // expired. The daemon writes expiries from its own clock, the trigger stamps the server's:
  // one second of tolerance.
  const std::string takeovers =
      " FROM lease_history WHERE old_owner IS NOT NULL AND new_owner IS NOT NULL"
      " AND old_owner <> new_owner";
  const Violations early_takeovers =
      violations(pg, "SELECT " + describe_lease + takeovers +
                         " AND at < old_expires_at - interval '1 second' ORDER BY at");
  EXPECT_EQ(early_takeovers.count, 0u)
      << "work items taken over before their lease expired:" << early_takeovers.examples;

  // Every lease change was made by the instance it concerns: a claim by the new owner, a
  // release by the old one (so no instance ever wrote another's lease).
  const Violations foreign_changes = violations(
      pg, "SELECT " + describe_lease +
              " FROM lease_history WHERE by_role IS DISTINCT FROM coalesce(new_owner, old_owner)"
              " ORDER BY at");
  EXPECT_EQ(foreign_changes.count, 0u)
      << "lease changes made by another instance than the one claiming or releasing:"
      << foreign_changes.examples;

  // (b) Every page commit was made by the lease holder: the committing session's role is the
  // owner at that instant, and the history agrees that this owner held the item then.
  const Violations foreign_commits = violations(
      pg, "SELECT " + describe_commit +
              " FROM page_commits WHERE lease_owner IS NULL OR by_role <> lease_owner ORDER BY at");
  EXPECT_EQ(foreign_commits.count, 0u)
      << "pages committed by an instance not holding the lease:" << foreign_commits.examples;
  const Violations commits_outside_holding = violations(
      pg, "SELECT " + describe_commit +
              " FROM page_commits c WHERE c.by_role IS DISTINCT FROM (SELECT h.new_owner"
              " FROM lease_history h WHERE h.work_item_id = c.work_item_id AND h.at <= c.at"
              " ORDER BY h.at DESC, h.id DESC LIMIT 1) ORDER BY at");
  EXPECT_EQ(commits_outside_holding.count, 0u)
      << "pages committed outside the committer's holding interval in the lease history:"
      << commits_outside_holding.examples;
  const Violations commits_after_kill = violations(
      pg, "SELECT " + describe_commit + " FROM page_commits WHERE (by_role = " + killed_q +
              " OR lease_owner = " + killed_q + ") AND at >= " + killed_at_q + " ORDER BY at");
  EXPECT_EQ(commits_after_kill.count, 0u)
      << "pages committed by the killed instance after its kill:" << commits_after_kill.examples;

  // (c) The killed instance's windows went to the others, after its leases expired.
  const long long takeovers_from_killed =
      number(pg, "SELECT count(*)" + takeovers + " AND old_owner = " + killed_q +
                     " AND at >= " + killed_at_q);
  EXPECT_GE(takeovers_from_killed, leases_at_kill)
      << "every window " << killed << " held at its kill must be taken over by another instance";
  EXPECT_GE(takeovers_from_killed, 1);

  // (d) The work was shared: every instance held leases and committed pages.
  std::string per_instance;
  for (const auto& instance : kInstances) {
    const long long claims =
        number(pg, "SELECT count(*) FROM lease_history WHERE new_owner = " + quoted(instance));
    const long long commits =
        number(pg, "SELECT count(*) FROM page_commits WHERE by_role = " + quoted(instance));
    EXPECT_GT(claims, 0) << instance << " never held a lease";
    EXPECT_GT(commits, 0) << instance << " never committed a page";
    per_instance += " " + instance + (instance == killed ? " (killed)" : "") + ": " +
                    std::to_string(claims) + " claims, " + std::to_string(commits) + " commits;";
    ::testing::Test::RecordProperty("claims_" + instance, std::to_string(claims));
    ::testing::Test::RecordProperty("commits_" + instance, std::to_string(commits));
  }

  // --- 6. figures ----------------------------------------------------------------------------
  const long long windows = number(pg, "SELECT count(*) FROM work_items");
  const long long all_takeovers = number(pg, "SELECT count(*)" + takeovers);
  const long long lease_changes = number(pg, "SELECT count(*) FROM lease_history");
  const long long commits = number(pg, "SELECT count(*) FROM page_commits");
  // Allowed (the commit checks the owner, not the clock) but worth seeing: pages committed
  // after the committer's lease had expired, nobody having taken the window meanwhile.
  const long long late_commits =
      number(pg, "SELECT count(*) FROM page_commits WHERE at > lease_expires_at");
  std::string logs;
  for (std::size_t i = 0; i < daemons.size(); ++i)
    logs += daemons[i]->output();
  const std::size_t dropped_pages = count_in(logs, "page dropped");
  const std::size_t lost_leases = count_in(logs, "lost its lease");
  const auto took = duration_cast<seconds>(steady_clock::now() - test_started);
  ::testing::Test::RecordProperty("windows", std::to_string(windows));
  ::testing::Test::RecordProperty("takeovers", std::to_string(all_takeovers));
  ::testing::Test::RecordProperty("takeovers_from_killed", std::to_string(takeovers_from_killed));
  ::testing::Test::RecordProperty("page_commits", std::to_string(commits));
  std::cout << "[ multi    ] " << windows << " windows, " << check.compared
            << " rows equal to the truth; " << lease_changes << " lease changes, " << all_takeovers
            << " takeover(s) (" << takeovers_from_killed << " from " << killed << ", "
            << early_takeovers.count << " before expiry), " << commits << " page commits ("
            << late_commits << " after the committer's lease expired), " << dropped_pages
            << " stale page(s) dropped, " << lost_leases << " lease(s) lost;" << per_instance << " "
            << took.count() << " s" << std::endl;
}

}  // namespace
}  // namespace insights::testing
