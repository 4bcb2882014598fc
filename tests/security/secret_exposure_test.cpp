// Where a running insights-sync's credentials can be seen, through the real binary: never in
// its command line, process title, logs (debug level) or `status` output (text and JSON); the
// Twilio secret only in its environment, and there only when the operator chose secret_env.
// (Secrets in error messages: api_tests, cli_tests; JSON logs at trace level:
// daemon_process_tests.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "api/basic_auth.hpp"
#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono_literals;

const std::string kTwilioSecret = "exposure-twilio-secret-5b7e";
const std::string kDatabasePassword = "exposure-db-password-91c4";

// A /proc/<pid>/ file as one string (NULs kept: cmdline and environ separate entries by them).
std::string proc_file(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SecretExposureTest : public PgTest {
 protected:
  // Everything that would give the credentials away.
  std::vector<std::string> leaks_in(const std::string& text) const {
    std::vector<std::string> found;
    const std::string header = basic_authorization(kSimAccount, kTwilioSecret);
    for (const std::string& secret :
         {kTwilioSecret, kDatabasePassword, header.substr(header.find(' ') + 1)}) {
      if (contains(text, secret))
        found.push_back(secret);
    }
    return found;
  }

  // Starts `run` and waits until it has read a window, so everything it does is under way.
  std::unique_ptr<ChildProcess> start_run(const std::string& config,
                                          std::map<std::string, std::string> environment) {
    auto daemon = std::make_unique<ChildProcess>(
        INSIGHTS_SYNC_BINARY, std::vector<std::string>{"--config", config, "run"}, dir + "/run.log",
        std::move(environment));
    EXPECT_TRUE(eventually(
        [&] { return contains(daemon->output(), " read (pass ") || !daemon->running(); }, 30s))
        << daemon->output();
    EXPECT_TRUE(daemon->running()) << daemon->output();
    return daemon;
  }

  void stop(ChildProcess& daemon) {
    daemon.send(SIGTERM);
    const auto end = daemon.wait_for(30s);
    ASSERT_TRUE(end) << daemon.output();
    EXPECT_TRUE(end->exited && end->exit_code == kExitOk) << end->describe() << daemon.output();
  }

  TestDir test_dir{"secret-exposure"};
  const std::string& dir = test_dir.path();
};

TEST_F(SecretExposureTest, NotInCommandLineTitleLogsOrStatus) {
  SimProcess sim(
      dir + "/sim", std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
      {"--calls-per-hour", "120", "--credential", std::string(kSimAccount) + ":" + kTwilioSecret});
  // As README recommends: the secret in a file of its own (a systemd credential in production).
  const std::string secret_file = dir + "/twilio-token";
  std::ofstream(secret_file) << kTwilioSecret << "\n";
  ::chmod(secret_file.c_str(), 0600);
  SyncConfig config;
  // A password in the connection string is discouraged (a warning says so) but must still
  // never be printed. (The test cluster trusts local logins, so it is not checked.)
  config.database_url = db->conninfo() + " password=" + kDatabasePassword;
  config.api_url = sim.base_url();
  config.ca_file = sim.ca_file();
  config.secret_file = secret_file;
  config.tail = "[log]\nlevel = \"debug\"\n";
  const std::string path = config.write(dir + "/sync.toml");

  auto daemon = start_run(path, {});
  const std::string cmdline = proc_file(daemon->pid(), "cmdline");
  const std::string title = proc_file(daemon->pid(), "comm");
  const std::string environment = proc_file(daemon->pid(), "environ");
  ASSERT_TRUE(contains(cmdline, path)) << "read the daemon's own cmdline";
  EXPECT_EQ(leaks_in(cmdline), std::vector<std::string>{}) << cmdline;
  EXPECT_EQ(leaks_in(title), std::vector<std::string>{}) << title;
  EXPECT_EQ(leaks_in(environment), std::vector<std::string>{}) << "secret_file keeps it out";
  stop(*daemon);
  EXPECT_TRUE(contains(daemon->output(), "contains a password")) << daemon->output();
  EXPECT_EQ(leaks_in(daemon->output()), std::vector<std::string>{}) << daemon->output();

  for (const std::string& format : {std::string("text"), std::string("json")}) {
    std::vector<std::string> arguments{"--config", path, "status"};
    if (format == "json")
      arguments.push_back("--json");
    const ChildResult status =
        run_child(INSIGHTS_SYNC_BINARY, arguments, dir + "/status.log", {}, 30s);
    ASSERT_TRUE(status.exit && status.exit->exited && status.exit->exit_code == kExitOk)
        << status.output;
    EXPECT_TRUE(contains(status.output, "sim")) << status.output;
    EXPECT_EQ(leaks_in(status.output), std::vector<std::string>{}) << status.output;
  }
}

// secret_env is supported (containers), but the variable stays in /proc/<pid>/environ for the
// life of the process, readable by the same user and root: README recommends secret_file.
TEST_F(SecretExposureTest, SecretEnvIsVisibleInTheProcessEnvironmentOnly) {
  SimProcess sim(
      dir + "/sim", std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
      {"--calls-per-hour", "120", "--credential", std::string(kSimAccount) + ":" + kTwilioSecret});
  SyncConfig config;
  config.database_url = db->conninfo();
  config.api_url = sim.base_url();
  config.ca_file = sim.ca_file();
  const std::string path = config.write(dir + "/sync.toml");

  auto daemon = start_run(path, {{kSyncConfigSecretEnv, kTwilioSecret}});
  EXPECT_EQ(leaks_in(proc_file(daemon->pid(), "cmdline")), std::vector<std::string>{});
  EXPECT_TRUE(contains(proc_file(daemon->pid(), "environ"),
                       std::string(kSyncConfigSecretEnv) + "=" + kTwilioSecret));
  stop(*daemon);
  EXPECT_EQ(leaks_in(daemon->output()), std::vector<std::string>{}) << daemon->output();
}

}  // namespace
}  // namespace insights::testing
