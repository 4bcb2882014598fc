// The database role the daemon needs: an administrator migrates, then `backfill`, `sync --once`,
// `run` and `status` work for a role holding exactly the grants docs/operations.md "Database role"
// lists (PUBLIC's default CONNECT, TEMPORARY and USAGE revoked), and the warehouse equals the
// truth. A role missing one of them stops at once with exit 3 and says why, instead of retrying
// forever (libpqxx 6.4 throws "permission denied" without its SQLSTATE).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <pqxx/nontransaction>
#include <pqxx/version>

#include "core/exit_codes.hpp"
#include "sink/pg_error_kind.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/documented_grants.hpp"
#include "tests/support/service_role.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// The grants docs/operations.md "Database role" tells an owner to run, read from the document
// ({db} and {role} in place of the names): this is the list the test proves sufficient.
const std::vector<std::string> kMinimalGrants = documented_grants();

class DatabaseRoleTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    role = unique_role_name("sec_sync");
    create_documented_service_role(*pg, db->name(), role);
  }
  void TearDown() override {
    // SetUp may have failed before the connection or the role existed (no PostgreSQL): the test
    // has failed already and must not crash on top of it.
    if (pg && !role.empty())
      drop_service_role(*pg, role);
    PgTest::TearDown();
  }

  std::string role_conninfo() const { return db->conninfo() + " user=" + role; }
  ChildResult insights_sync(const std::string& log, std::vector<std::string> arguments,
                            milliseconds timeout = 60s) {
    return run_child(INSIGHTS_SYNC_BINARY, std::move(arguments), dir + "/" + log,
                     {{kSyncConfigSecretEnv, kSimToken}}, timeout);
  }
  std::string config_for(const SimProcess& sim) {
    SyncConfig config;
    config.database_url = role_conninfo();
    config.api_url = sim.base_url();
    config.ca_file = sim.ca_file();
    config.lookback_hours = 3;
    // `run` reads the live window at once
    config.sync_lines = {kFreshSchedule, "poll_interval_seconds = 1"};
    return config.write(dir + "/sync.toml");
  }

  std::string role;
  TestDir test_dir{"database-role"};
  const std::string& dir = test_dir.path();
};

TEST_F(DatabaseRoleTest, TheDocumentedGrantsAreEnoughToSyncToTheTruth) {
  const UtcSeconds now = floor<seconds>(system_clock::now());
  SimProcess sim(dir + "/sim", now, {"--calls-per-hour", "600"});
  const std::string config = config_for(sim);

  const ChildResult backfill =
      insights_sync("backfill.log", {"--config", config, "backfill", "--from", "5h", "--to", "3h"});
  EXPECT_EQ(exit_code(backfill), kExitOk) << backfill.output;
  const ChildResult once = insights_sync("once.log", {"--config", config, "sync", "--once"});
  ASSERT_EQ(exit_code(once), kExitOk) << once.output;

  // `run` too: it checks the schema, serves /metrics and reads the live window again.
  ChildProcess daemon(INSIGHTS_SYNC_BINARY, {"--config", config, "run"}, dir + "/run.log",
                      {{kSyncConfigSecretEnv, kSimToken}});
  EXPECT_TRUE(eventually(
      [&] { return contains(daemon.output(), " read (pass ") || !daemon.running(); }, 30s))
      << daemon.output();
  daemon.send(SIGTERM);
  const auto end = daemon.wait_for(30s);
  ASSERT_TRUE(end) << daemon.output();
  EXPECT_TRUE(end->exited && end->exit_code == kExitOk) << end->describe() << daemon.output();
  EXPECT_FALSE(contains(daemon.output(), "permission denied")) << daemon.output();

  const ChildResult status = insights_sync("status.log", {"--config", config, "status", "--json"});
  EXPECT_EQ(exit_code(status), kExitOk) << status.output;

  const UtcSeconds from{seconds(
      std::stoll(scalar("SELECT extract(epoch FROM min(window_start))::bigint FROM work_items")))};
  const Comparison check =
      compare_with_truth(stored_digests(*pg, "start_time", from, now), sim.truth(from, now));
  EXPECT_TRUE(check.equal()) << check.describe();
  EXPECT_GT(check.compared, 100);
  std::cout << "[ role     ] " << check.compared << " rows (5 h) synced by a role with "
            << kMinimalGrants.size() << " GRANT statements equal the truth" << std::endl;
}

// Each missing grant is met on a different path: TEMPORARY when a page commit opens its
// staging table, INSERT on sources when the source registers before any window.
TEST_F(DatabaseRoleTest, AMissingGrantStopsRunWithTheDatabaseCodeAndTheReason) {
  SimProcess sim(dir + "/sim", floor<seconds>(system_clock::now()), {"--calls-per-hour", "120"});
  const std::string config = config_for(sim);
  for (const std::string& revoke : {std::string("REVOKE TEMPORARY ON DATABASE {db} FROM {role}"),
                                    std::string("REVOKE INSERT ON sources FROM {role}")}) {
    SCOPED_TRACE(revoke);
    pqxx::nontransaction(*pg).exec0(with_names(revoke, db->name(), role));
    const auto started = steady_clock::now();
    const ChildResult run = insights_sync("run.log", {"--config", config, "run"}, 30s);
    EXPECT_EQ(exit_code(run), kExitDatabase)
        << (run.exit ? "" : "still retrying at 30 s\n") << run.output;
    EXPECT_LT(steady_clock::now() - started, 15s);
    EXPECT_TRUE(contains(run.output, "permission denied")) << run.output;
    EXPECT_TRUE(contains(run.output, "docs/operations.md, \"Database role\"")) << run.output;
    EXPECT_EQ(std::stoll(scalar("SELECT count(*) FROM call_summaries")), 0);
    for (const auto& grant : kMinimalGrants)  // back to the full set for the next case
      pqxx::nontransaction(*pg).exec0(with_names(grant, db->name(), role));
  }
}

// The library quirk the fix rests on, against the real server: whether or not the SQLSTATE
// comes with it, "permission denied" is fatal and its message says what to do.
TEST_F(DatabaseRoleTest, PermissionDeniedIsFatalWithOrWithoutItsSqlstate) {
  pqxx::nontransaction(*pg).exec0("REVOKE SELECT ON schema_migrations FROM " + role);
  pqxx::connection connection(role_conninfo());
  try {
    pqxx::nontransaction(connection).exec("SELECT version FROM schema_migrations");
    FAIL() << "the role may still read schema_migrations";
  } catch (const pqxx::sql_error& error) {
    std::cout << "[ role     ] libpqxx " << PQXX_VERSION << ": permission denied arrives with"
              << (error.sqlstate().empty() ? "out a" : " the") << " SQLSTATE" << std::endl;
    EXPECT_EQ(classify_database_error(error), ErrorKind::stop_process);
    EXPECT_TRUE(contains(describe_database_error(error), "docs/operations.md, \"Database role\""));
  }
}

}  // namespace
}  // namespace insights::testing
