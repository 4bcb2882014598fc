// deploy/insights-sync.service as systemd sees it: `systemd-analyze verify` accepts it and
// `systemd-analyze security --offline=true` rates its exposure at most 2.0.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/shell_command.hpp"
#include "tests/support/test_dir.hpp"

namespace insights {
namespace {

using testing::run_shell;

// The unit as shipped, with /usr/bin/insights-sync pointing at the binary just built (verify
// checks that ExecStart= names an executable), in the calling test's directory.
std::string unit_under_test(const testing::TestDir& dir) {
  std::ifstream in(std::string(INSIGHTS_SOURCE_DIR) + "/deploy/insights-sync.service");
  std::stringstream text;
  text << in.rdbuf();
  std::string unit = text.str();
  const std::string installed = "/usr/bin/insights-sync";
  for (std::size_t at = unit.find(installed); at != std::string::npos;
       at = unit.find(installed, at)) {
    unit.replace(at, installed.size(), INSIGHTS_SYNC_BINARY);
    at += std::string(INSIGHTS_SYNC_BINARY).size();
  }
  const std::string path = dir.path() + "/insights-sync.service";
  std::ofstream(path) << unit;
  return path;
}

TEST(ServiceUnit, SystemdAnalyzeVerifyAcceptsIt) {
  const testing::TestDir dir("service-unit");
  const testing::CommandOutcome verify =
      run_shell("systemd-analyze verify " + unit_under_test(dir));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(verify.output, "") << "no warnings either";
}

TEST(ServiceUnit, ItsExposureIsAtMostTwo) {
  const testing::TestDir dir("service-unit");
  const testing::CommandOutcome security =
      run_shell("systemd-analyze security --offline=true " + unit_under_test(dir));
  ASSERT_EQ(security.exit_code, 0) << security.output;
  // "→ Overall exposure level for insights-sync.service: 1.1 OK"
  const std::string marker = "Overall exposure level for insights-sync.service: ";
  const std::size_t at = security.output.find(marker);
  ASSERT_NE(at, std::string::npos) << security.output;
  const double exposure = std::stod(security.output.substr(at + marker.size()));
  EXPECT_LE(exposure, 2.0) << security.output;
  std::cout << "[ unit     ] systemd-analyze security: exposure " << exposure << std::endl;
}

TEST(ServiceUnit, NotifiesReadyFeedsTheWatchdogAndLoadsItsSecretAsACredential) {
  std::ifstream in(std::string(INSIGHTS_SOURCE_DIR) + "/deploy/insights-sync.service");
  std::stringstream text;
  text << in.rdbuf();
  for (const char* line :
       {"Type=notify", "WatchdogSec=", "Restart=on-failure",
        "TimeoutStopSec=", "LoadCredential=", "DynamicUser=yes", "ProtectSystem=strict",
        "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "SystemCallFilter=@system-service",
        "MemoryDenyWriteExecute=yes"}) {
    EXPECT_NE(text.str().find(line), std::string::npos) << "missing: " << line;
  }
  // The database password file reaches the dynamic user as a credential, with an empty default.
  for (const char* line : {"LoadCredential=pgpass:/etc/insights-sync/pgpass",
                           "SetCredential=pgpass:#", "Environment=PGPASSFILE=%d/pgpass"}) {
    EXPECT_NE(text.str().find(line), std::string::npos) << "missing: " << line;
  }
}

bool has_line(const std::string& output, const std::string& part) {
  return output.find(part) != std::string::npos;
}

// Under a real systemd (PID 1 of its own namespaces, see tests/deploy/systemd-service-check.sh):
// the unit as shipped, paths aside, starts the daemon with its full hardening, READY=1 ends
// `systemctl start`, rows land, the journal has the structured fields, reload and stop work.
TEST(ServiceUnit, RunsUnderARealSystemdFromStartToStop) {
  const std::string work = ::testing::TempDir() + "systemd-check-" + std::to_string(getpid());
  const testing::CommandOutcome check =
      run_shell("'" INSIGHTS_SOURCE_DIR
                "/tests/deploy/systemd-service-check.sh' "
                "'" INSIGHTS_SYNC_BINARY "' '" INSIGHTS_SIM_BINARY "' '" +
                work + "'");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  for (const char* line :
       {"systemd-check: systemd 252", "started: active/running, status \"syncing 1 source",
        "journal fields: WINDOW=", "readyz: ready", "reload: SIGHUP: configuration reloaded",
        "stopped: result success, exit status 0"}) {
    EXPECT_TRUE(has_line(check.output, line)) << "missing: " << line << "\n" << check.output;
  }
  EXPECT_FALSE(has_line(check.output, "systemd-check: 0 rows landed")) << check.output;
  std::filesystem::remove_all(work);
}

}  // namespace
}  // namespace insights
