// Two live processes with one instance name would take each other's windows (a start takes back
// every lease held under its name). So a second `run` or `sync --once` with the name of a live
// instance is refused with exit 5 and a message naming the session that holds it, and it
// touches no lease; once the first has stopped, the name is free again.
#include <gtest/gtest.h>
#include <signal.h>

#include <pqxx/nontransaction>
#include <string>

#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

class InstanceNameTest : public PgTest {
 protected:
  std::string config_for(const SimProcess& sim) {
    SyncConfig config;
    config.database_url = db->conninfo();
    config.api_url = sim.base_url();
    config.ca_file = sim.ca_file();
    config.instance_name = "twin";
    config.lookback_hours = 3;
    config.sync_lines = {kFreshSchedule, "poll_interval_seconds = 1"};
    return config.write(dir + "/sync.toml");
  }
  ChildResult insights_sync(const std::string& log, std::vector<std::string> arguments) {
    return run_child(INSIGHTS_SYNC_BINARY, std::move(arguments), dir + "/" + log,
                     {{kSyncConfigSecretEnv, kSimToken}}, 60s);
  }
  long long passes() {
    return std::stoll(scalar("SELECT coalesce(sum(passes_completed), 0) FROM work_items"));
  }

  TestDir test_dir{"instance-name"};
  const std::string& dir = test_dir.path();
};

TEST_F(InstanceNameTest, ASecondLiveInstanceWithTheSameNameIsRefusedAndTakesNoLease) {
  SimProcess sim(dir + "/sim", floor<seconds>(system_clock::now()), {"--calls-per-hour", "300"});
  const std::string config = config_for(sim);
  ChildProcess first(INSIGHTS_SYNC_BINARY, {"--config", config, "run"}, dir + "/first.log",
                     {{kSyncConfigSecretEnv, kSimToken}});
  ASSERT_TRUE(eventually([&] { return passes() > 0 || !first.running(); }, 30s)) << first.output();
  // A lease of the first instance that the first is not using right now: a second start under
  // the same name would release it (what a restart of the same instance does).
  const std::string held_lease = scalar(
      "INSERT INTO work_items (source, kind, window_start, window_end, state,"
      " lease_owner, lease_expires_at, next_due_at)"
      " VALUES ('sim', 'backfill', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z',"
      " 'settled', 'twin', now() + interval '1 hour', 'infinity') RETURNING id");

  for (const char* command : {"run", "sync"}) {
    std::vector<std::string> arguments = {"--config", config, command};
    if (std::string(command) == "sync")
      arguments.push_back("--once");
    const ChildResult second = insights_sync(std::string(command) + "-second.log", arguments);
    EXPECT_EQ(exit_code(second), kExitInUse) << second.output;
    EXPECT_TRUE(contains(second.output,
                         "another insights-sync is running as instance \"twin\" on this database "
                         "(connected from "))
        << second.output;
    EXPECT_TRUE(contains(second.output, "give every instance its own sync.instance_name"))
        << second.output;
    EXPECT_FALSE(contains(second.output, "took back")) << second.output;
  }
  EXPECT_EQ(scalar("SELECT lease_owner FROM work_items WHERE id = " + held_lease), "twin");

  // The first instance goes on as if nothing happened.
  const long long before = passes();
  EXPECT_TRUE(eventually([&] { return passes() > before; }, 30s)) << first.output();
  EXPECT_TRUE(first.running()) << first.output();

  first.send(SIGTERM);
  const auto stopped = first.wait_for(30s);
  ASSERT_TRUE(stopped) << first.output();
  EXPECT_EQ(stopped->exit_code, kExitOk) << first.output();
  const ChildResult after = insights_sync("once-after.log", {"--config", config, "sync", "--once"});
  EXPECT_EQ(exit_code(after), kExitOk) << after.output;
}

}  // namespace
}  // namespace insights::testing
