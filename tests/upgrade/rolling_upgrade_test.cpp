// A rolling upgrade of two instances on one database, with the real binaries: insights-sync
// (this release) and insights-sync-next (the same code with one more migration, an "expand" one
// that adds a column to call_summaries; tests/CMakeLists.txt). After the next release migrates,
// the older instance keeps syncing beside the newer one. A "contract" migration (one that says
// older binaries may not run) stops both with exit 4 and a message that says why, and a binary
// behind the database's schema refuses to start until the owner migrates.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>

#include "core/exit_codes.hpp"
#include "schema/embedded_migrations.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/metrics_endpoint.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const int kThisRelease = embedded_migrations().back().version;
const int kNextRelease = kThisRelease + 1;

class RollingUpgradeTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();  // migrated by this release
    sim = std::make_unique<SimProcess>(dir + "/sim", floor<seconds>(system_clock::now()),
                                       std::vector<std::string>{"--calls-per-hour", "300"});
  }
  std::string config(const std::string& instance) {
    SyncConfig config;
    config.database_url = db->conninfo();
    config.api_url = sim->base_url();
    config.ca_file = sim->ca_file();
    config.instance_name = instance;
    // A source of its own per instance: each has windows to read whatever the other does. Two
    // instances sharing one source's windows let the busier one claim every window as it
    // comes due (the idle one looks once a second), and "keeps syncing" then measured that
    // race, not the schema: it failed 3 times in 5 on 2026-12-08.
    config.source_name = instance;
    config.lookback_hours = 3;
    // Every window is read again every few seconds, so both instances keep committing.
    config.sync_lines = {kFreshSchedule, "poll_interval_seconds = 1",
                         "reread_interval_seconds = 10", "settle_after_minutes = 2880",
                         "window_minutes = 15"};
    return config.write(dir + "/" + instance + ".toml");
  }
  std::unique_ptr<ChildProcess> start(const std::string& binary, const std::string& instance) {
    return std::make_unique<ChildProcess>(
        binary, std::vector<std::string>{"--config", config(instance), "run"},
        dir + "/" + instance + ".log",
        std::map<std::string, std::string>{{kSyncConfigSecretEnv, kSimToken}});
  }
  ChildResult once(const std::string& binary, const std::string& log,
                   std::vector<std::string> arguments) {
    return run_child(binary, std::move(arguments), dir + "/" + log,
                     {{kSyncConfigSecretEnv, kSimToken}}, 60s);
  }
  // Passes this instance finished since the test began (every pass ends with one log line).
  static int passes_in(const ChildProcess& daemon) {
    int count = 0;
    const std::string log = daemon.output();
    for (auto at = log.find(" read (pass "); at != std::string::npos;
         at = log.find(" read (pass ", at + 1)) {
      ++count;
    }
    return count;
  }
  static bool keeps_syncing(const ChildProcess& daemon) {
    const int before = passes_in(daemon);
    return eventually([&] { return passes_in(daemon) > before; }, 30s);
  }

  TestDir test_dir{"rolling-upgrade"};
  const std::string& dir = test_dir.path();
  std::unique_ptr<SimProcess> sim;
};

TEST_F(RollingUpgradeTest, AnExpandMigrationKeepsTheOlderInstanceSyncingBesideTheNewerOne) {
  auto older = start(INSIGHTS_SYNC_BINARY, "older");
  auto upgraded = start(INSIGHTS_SYNC_BINARY, "upgraded");
  ASSERT_TRUE(keeps_syncing(*older)) << older->output();
  ASSERT_TRUE(keeps_syncing(*upgraded)) << upgraded->output();

  // The next release's binary refuses the database until the owner has migrated it.
  const ChildResult behind =
      once(INSIGHTS_SYNC_NEXT_BINARY, "behind.log", {"--config", config("next"), "sync", "--once"});
  EXPECT_EQ(exit_code(behind), kExitSchemaMismatch) << behind.output;
  EXPECT_TRUE(contains(behind.output, "this insights-sync needs " + std::to_string(kNextRelease) +
                                          ": have the database owner run `insights-sync migrate`"))
      << behind.output;

  // Upgrade the second instance: migrate with the new binary, restart it on the new binary.
  const ChildResult migrate =
      once(INSIGHTS_SYNC_NEXT_BINARY, "migrate.log", {"--config", config("next"), "migrate"});
  ASSERT_EQ(exit_code(migrate), kExitOk) << migrate.output;
  EXPECT_EQ(scalar("SELECT max(version) FROM schema_migrations"), std::to_string(kNextRelease));
  upgraded->send(SIGTERM);
  ASSERT_TRUE(upgraded->wait_for(30s)) << upgraded->output();
  upgraded = start(INSIGHTS_SYNC_NEXT_BINARY, "upgraded");

  // Both sync, each against the schema it runs with; the older one still says it is ready.
  EXPECT_TRUE(keeps_syncing(*upgraded)) << upgraded->output();
  EXPECT_TRUE(keeps_syncing(*older)) << older->output();
  const auto endpoints = metrics_endpoints(older->output());
  ASSERT_FALSE(endpoints.empty()) << older->output();
  EXPECT_EQ(get_from(endpoints[0], "/readyz").status, 200);
  // The older binary's `migrate` (an ExecStartPre of an old unit, say) finds nothing to do.
  const ChildResult old_migrate =
      once(INSIGHTS_SYNC_BINARY, "old-migrate.log", {"--config", config("older"), "migrate"});
  EXPECT_EQ(exit_code(old_migrate), kExitOk) << old_migrate.output;
  EXPECT_TRUE(contains(old_migrate.output, "newer than this insights-sync knows"))
      << old_migrate.output;
  EXPECT_TRUE(older->running()) << older->output();

  // Then upgrade the first instance too.
  older->send(SIGTERM);
  const auto stopped = older->wait_for(30s);
  ASSERT_TRUE(stopped) << older->output();
  EXPECT_EQ(stopped->exit_code, kExitOk) << older->output();
  older = start(INSIGHTS_SYNC_NEXT_BINARY, "older");
  EXPECT_TRUE(keeps_syncing(*older)) << older->output();
  EXPECT_TRUE(upgraded->running()) << upgraded->output();
}

TEST_F(RollingUpgradeTest, AContractMigrationStopsEveryOlderInstanceWithExitFour) {
  auto older = start(INSIGHTS_SYNC_BINARY, "older");
  ASSERT_TRUE(keeps_syncing(*older)) << older->output();
  // What the owner's migrate of a release with a "contract" migration records.
  scalar("INSERT INTO schema_migrations (version, name, keeps_older_binaries) VALUES (" +
         std::to_string(kNextRelease) + ", 'drop_a_column', false) RETURNING version");

  const auto endpoints = metrics_endpoints(older->output());
  ASSERT_FALSE(endpoints.empty()) << older->output();
  const HttpResult ready = get_from(endpoints[0], "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_TRUE(contains(ready.body, "does not keep older binaries running")) << ready.body;

  // The instance check (every 10 s) stops it; systemd does not restart exit 4.
  const auto end = older->wait_for(30s);
  ASSERT_TRUE(end) << older->output();
  EXPECT_EQ(end->exit_code, kExitSchemaMismatch) << older->output();
  EXPECT_TRUE(contains(older->output(), "migration " + std::to_string(kNextRelease) +
                                            " (drop_a_column) does not keep older binaries "
                                            "running; upgrade insights-sync"))
      << older->output();

  const ChildResult restart =
      once(INSIGHTS_SYNC_BINARY, "restart.log", {"--config", config("older"), "run"});
  EXPECT_EQ(exit_code(restart), kExitSchemaMismatch) << restart.output;
}

}  // namespace
}  // namespace insights::testing
