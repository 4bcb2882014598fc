// The operator's path as docs/operations.md gives it, under a real systemd, with the package as
// built and the unit byte for byte as shipped (tests/deploy/operator-path.sh says what it does
// and the few things it does differently from an operator, and why): install on a stock Debian
// PostgreSQL with scram-sha-256, the documented owner, migration and grants, first start to
// READY with rows landing, a restart, a second host, the same instance name refused, a rolling
// upgrade with one more migration while the other host syncs, the alert rules, reload and stop,
// the journal's fields, a metrics endpoint on every interface, removal.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "schema/embedded_migrations.hpp"
#include "tests/support/shell_command.hpp"

namespace insights {
namespace {

using testing::run_shell;

// A line of the script's ("operator-path: ...") says `part`.
bool has_line(const std::string& output, const std::string& part) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("operator-path: ") && line.find(part) != std::string::npos)
      return true;
  }
  return false;
}

TEST(OperatorPath, InstallRestartSecondHostUpgradeAndRemovalWorkAsDocumented) {
  const std::string work = ::testing::TempDir() + "operator-path-" + std::to_string(getpid());
  const testing::CommandOutcome path =
      run_shell("'" INSIGHTS_SOURCE_DIR "/tests/deploy/operator-path.sh' '" INSIGHTS_BUILD_DIR
                "' '" INSIGHTS_SIM_BINARY "' '" INSIGHTS_SYNC_NEXT_BINARY "' '" +
                work + "' 2>&1");
  EXPECT_EQ(path.exit_code, 0) << path.output;
  const std::string schema = std::to_string(embedded_migrations().back().version);
  const std::string next = std::to_string(embedded_migrations().back().version + 1);
  for (const std::string& line :
       {std::string("PostgreSQL: PostgreSQL 15"),
        std::string("TCP from 127.0.0.1: scram-sha-256"),
        std::string("check-config --connect: "),
        std::string("host-a started: active/running, status \"syncing 1 source as host-a"),
        std::string("database role: owner of call_summaries insights_owner, insights_sync's "
                    "password scram-sha-256, its sessions 127.0.0.1"),
        std::string("verify: active ready"),
        std::string("host-a restarted: active, restarts by systemd 0"),
        std::string("reload: SIGHUP: configuration reloaded"),
        std::string("journal fields: SOURCE=main WINDOW="),
        std::string("stopped host-b: result success, exit status 0"),
        std::string("two instances: both syncing"),
        std::string("warehouse exporters: 1"),
        std::string("same name: host-b failed, exit status 5, restarts by systemd 0; host-a "
                    "active"),
        std::string("refused: another insights-sync is running as instance \"host-a\""),
        std::string("insights-sync: upgraded from " INSIGHTS_SYNC_VERSION),
        std::string("after the package: host-a active (still the old binary)"),
        "migrate: schema migrated from version " + schema + " to " + next,
        std::string("rolling upgrade: host-a on " INSIGHTS_SYNC_VERSION
                    "+next1, host-b on " INSIGHTS_SYNC_VERSION
                    ", both syncing, host-b ready: ready"),
        "upgraded both: schema version " + next + ", both syncing",
        std::string("alert rules: SUCCESS"),
        std::string(
            "uninstalled host-b: unit gone, package not installed, /etc/insights-sync gone"),
        std::string("removed on host-a: service inactive, processes left: 0"),
        std::string("database dropped: 0 databases named insights left"),
        std::string("done")}) {
    EXPECT_TRUE(has_line(path.output, line)) << "missing: " << line << "\n" << path.output;
  }
  for (const char* none : {"host-a: 0 rows landed", "backfill: 0 windows read"})
    EXPECT_FALSE(has_line(path.output, none)) << path.output;
  // What packagers and users build: the package under test comes from a Release build.
  EXPECT_TRUE(has_line(path.output, "build type: Release"))
      << "configure the tree with -DCMAKE_BUILD_TYPE=Release (tests/run-tests.sh does)\n"
      << path.output;
  if (!::testing::Test::HasFailure())
    std::filesystem::remove_all(work);
}

}  // namespace
}  // namespace insights
