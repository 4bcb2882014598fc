// `insights-sync check-config --connect` through the real binary, against the test PostgreSQL
// and the real insights-sim: every check on one line, and the exit status of the first that
// failed. A role holding the documented grants passes; one grant short is exit 3 naming it and
// its GRANT; an unmigrated database exit 4; a wrong token (the sim answers 401) exit 7; an
// unreachable database exit 3. Also: without --connect nothing is contacted, and `sync --once`
// logs a warning for a secret file others can read.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <pqxx/nontransaction>

#include "api/basic_auth.hpp"
#include "core/exit_codes.hpp"
#include "schema/embedded_migrations.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/documented_grants.hpp"
#include "tests/support/service_role.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Every privilege the documented grants give (sink/service_role_privileges.hpp).
constexpr int kServicePrivileges = 16;

class CheckConfigTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    role = unique_role_name("check_sync");
    create_documented_service_role(*pg, db->name(), role);
    sim = std::make_unique<SimProcess>(dir + "/sim", floor<seconds>(system_clock::now()));
  }
  void TearDown() override {
    sim.reset();
    if (pg && !role.empty())  // SetUp failed early (no PostgreSQL): fail, do not crash
      drop_service_role(*pg, role);
    PgTest::TearDown();
  }

  SyncConfig config() const {
    SyncConfig config;
    config.database_url = db->conninfo() + " user=" + role;
    config.api_url = sim->base_url();
    config.ca_file = sim->ca_file();
    return config;
  }
  ChildResult check(const SyncConfig& config, const std::string& name,
                    const std::string& token = kSimToken, bool connect = true) {
    std::vector<std::string> arguments{"--config", config.write(dir + "/" + name + ".toml"),
                                       "check-config"};
    if (connect)
      arguments.push_back("--connect");
    return run_child(INSIGHTS_SYNC_BINARY, arguments, dir + "/" + name + ".log",
                     {{kSyncConfigSecretEnv, token}}, 90s);
  }
  std::string source_line(const std::string& verdict) const {
    return "source \"sim\" (source[1]): API at " + sim->base_url() + ": " + verdict;
  }
  std::string known_version() const { return std::to_string(embedded_migrations().back().version); }

  std::string role;
  TestDir test_dir{"check-config"};
  const std::string& dir = test_dir.path();
  std::unique_ptr<SimProcess> sim;
};

TEST_F(CheckConfigTest, EverythingGoodIsOneLineEachAndExitZero) {
  const long long requests_before = sim->counter("api_requests");
  const ChildResult result = check(config(), "good");
  EXPECT_EQ(exit_code(result), kExitOk) << result.output;
  const std::string& out = result.output;
  EXPECT_TRUE(contains(out, "configuration is valid: 1 source, database from the config file"))
      << out;
  EXPECT_TRUE(contains(out, "source \"sim\" (source[1]): secret from secret_env " +
                                std::string(kSyncConfigSecretEnv) + "; API " + sim->base_url() +
                                ", trusting only the 1 certificate in ca_file " + sim->ca_file()))
      << out;
  EXPECT_TRUE(contains(out, "database: connected to PostgreSQL ")) << out;
  EXPECT_TRUE(contains(out, " as role " + role + ", database " + db->name() +
                                " (connection string from the config file)"))
      << out;
  EXPECT_TRUE(contains(out, "schema: version " + known_version() +
                                " in the database, this insights-sync knows " + known_version() +
                                ": compatible"))
      << out;
  EXPECT_TRUE(contains(out, "privileges: role " + role + " holds all " +
                                std::to_string(kServicePrivileges) +
                                " privileges insights-sync needs"))
      << out;
  EXPECT_TRUE(
      contains(out, source_line("credentials accepted and Voice Insights answered (HTTP 200)")))
      << out;
  EXPECT_TRUE(contains(out, "every check passed")) << out;
  EXPECT_EQ(sim->counter("api_requests") - requests_before, 1) << "one cheap request";
  EXPECT_FALSE(contains(out, kSimToken)) << out;

  // Without --connect: nothing contacted, and the last line says so.
  const ChildResult offline = check(config(), "offline", kSimToken, false);
  EXPECT_EQ(exit_code(offline), kExitOk) << offline.output;
  EXPECT_TRUE(contains(offline.output,
                       "not checked: the database (connection, schema version, the role's "
                       "privileges) and each source's API (credentials, certificate); "
                       "check-config --connect checks them"))
      << offline.output;
  EXPECT_FALSE(contains(offline.output, "database: ")) << offline.output;
  EXPECT_EQ(sim->counter("api_requests") - requests_before, 1) << "no request without --connect";
}

TEST_F(CheckConfigTest, ARoleMissingOneGrantIsExitThreeNamingItAndItsGrant) {
  pqxx::nontransaction(*pg).exec0("REVOKE INSERT ON sources FROM " + role);
  const ChildResult result = check(config(), "revoked");
  EXPECT_EQ(exit_code(result), kExitDatabase) << result.output;
  EXPECT_TRUE(contains(result.output, "privileges: role " + role + " lacks 1 of the " +
                                          std::to_string(kServicePrivileges) +
                                          " privileges insights-sync needs; a database owner "
                                          "grants them with:\n    GRANT INSERT ON sources TO " +
                                          role + ";  -- INSERT on table sources"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "database: connected")) << result.output;
  EXPECT_TRUE(contains(result.output, source_line("credentials accepted"))) << result.output;
  EXPECT_TRUE(contains(result.output, "1 check failed: privileges; exit status 3"))
      << result.output;

  // With [retention] on, DELETE on call_summaries is needed too.
  SyncConfig retention = config();
  retention.tail = "[retention]\ndelete_after_days = 40\n";
  const ChildResult with_retention = check(retention, "retention");
  EXPECT_EQ(exit_code(with_retention), kExitDatabase) << with_retention.output;
  EXPECT_TRUE(contains(with_retention.output,
                       "lacks 2 of the " + std::to_string(kServicePrivileges + 1) +
                           " privileges insights-sync needs (with DELETE on call_summaries for "
                           "[retention])"))
      << with_retention.output;
  EXPECT_TRUE(contains(with_retention.output, "GRANT DELETE ON call_summaries TO " + role + ";"))
      << with_retention.output;

  // The grants it printed are what the role lacked: run, they make it pass.
  pqxx::nontransaction admin(*pg);
  admin.exec0("GRANT INSERT ON sources TO " + role);
  admin.exec0("GRANT DELETE ON call_summaries TO " + role);
  const ChildResult granted = check(retention, "granted");
  EXPECT_EQ(exit_code(granted), kExitOk) << granted.output;
  EXPECT_TRUE(contains(granted.output, "holds all " + std::to_string(kServicePrivileges + 1)))
      << granted.output;
}

TEST_F(CheckConfigTest, AnUnmigratedDatabaseIsExitFour) {
  TestDatabase fresh;
  SyncConfig unmigrated = config();
  unmigrated.database_url = fresh.conninfo();
  const ChildResult result = check(unmigrated, "unmigrated");
  EXPECT_EQ(exit_code(result), kExitSchemaMismatch) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "schema: version 0 in the database, this insights-sync knows " +
                           known_version() +
                           ": not compatible: the database has no insights-sync schema yet: have "
                           "the database owner run `insights-sync migrate` first"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "privileges: not checked")) << result.output;
  EXPECT_TRUE(contains(result.output, "1 check failed: schema; exit status 4")) << result.output;
}

TEST_F(CheckConfigTest, AWrongTokenIsExitSevenAndNeverPrinted) {
  const std::string wrong = "wrong-token-4f2a";
  const ChildResult result = check(config(), "wrong-token", wrong);
  EXPECT_EQ(exit_code(result), kExitSourceRefused) << result.output;
  EXPECT_TRUE(
      contains(result.output,
               source_line("credentials refused (first list page: HTTP 401, Twilio error 20003 "
                           "(Authenticate); check the source's account SID / API key "
                           "and secret)")))
      << result.output;
  EXPECT_TRUE(contains(result.output, "privileges: role " + role + " holds all")) << result.output;
  EXPECT_TRUE(contains(result.output, "1 check failed: source \"sim\" (source[1]); exit status 7"))
      << result.output;
  const std::string header = basic_authorization(kSimAccount, wrong);
  EXPECT_FALSE(contains(result.output, wrong)) << result.output;
  EXPECT_FALSE(contains(result.output, header.substr(header.find(' ') + 1))) << result.output;
  EXPECT_EQ(sim->responses_with_status(401), 1);
}

TEST_F(CheckConfigTest, AnUnreachableDatabaseIsExitThreeAndTheSourcesAreStillChecked) {
  SyncConfig unreachable = config();
  unreachable.database_url = "host=/nonexistent port=1 password=db-s3cr3t";
  const ChildResult result = check(unreachable, "unreachable");
  EXPECT_EQ(exit_code(result), kExitDatabase) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "database: connection string from the config file: cannot "
                       "connect to PostgreSQL: "))
      << result.output;
  EXPECT_TRUE(contains(result.output, "schema: not checked: no database connection"))
      << result.output;
  EXPECT_TRUE(contains(result.output, source_line("credentials accepted"))) << result.output;
  EXPECT_FALSE(contains(result.output, "db-s3cr3t")) << result.output;
  EXPECT_FALSE(contains(result.output, "/nonexistent port=1")) << "the connection string";
}

TEST_F(CheckConfigTest, ACertificateThatDoesNotVerifyAndAnApiNobodyAnswers) {
  SyncConfig system_cas = config();
  system_cas.ca_file.clear();  // the sim's CA is not among the system's
  SyncConfig nobody = config();
  nobody.api_url = "https://127.0.0.1:1";
  const ChildResult untrusted = check(system_cas, "system-cas");
  EXPECT_EQ(exit_code(untrusted), kExitSourceRefused) << untrusted.output;
  EXPECT_TRUE(contains(untrusted.output,
                       source_line("the server's certificate does not verify (set ca_file to the "
                                   "CA that signed it, or fix api_url): ")))
      << untrusted.output;
  const ChildResult refused = check(nobody, "nobody");
  EXPECT_EQ(exit_code(refused), kExitSourceRefused) << refused.output;
  EXPECT_TRUE(contains(refused.output,
                       "source \"sim\" (source[1]): API at https://127.0.0.1:1: "
                       "the API cannot be reached: "))
      << refused.output;
}

// The permission warning comes with check-config and with the commands that load secrets.
TEST_F(CheckConfigTest, ASecretFileOthersCanReadIsAWarningNotAFailure) {
  const std::string secret_file = dir + "/twilio-token";
  std::ofstream(secret_file) << kSimToken << "\n";
  ::chmod(secret_file.c_str(), 0644);
  SyncConfig readable = config();
  readable.secret_file = secret_file;
  readable.lookback_hours = 1;
  const std::string warning = "source \"sim\" (source[1]): secret_file " + secret_file +
                              " can be read by others (mode 0644); chmod 600 it";
  const ChildResult checked = check(readable, "readable");
  EXPECT_EQ(exit_code(checked), kExitOk) << checked.output;
  EXPECT_TRUE(contains(checked.output, warning)) << checked.output;
  const ChildResult once =
      run_child(INSIGHTS_SYNC_BINARY, {"--config", dir + "/readable.toml", "sync", "--once"},
                dir + "/once.log", {}, 60s);
  EXPECT_EQ(exit_code(once), kExitOk) << once.output;
  EXPECT_TRUE(contains(once.output, warning)) << once.output;
}

}  // namespace
}  // namespace insights::testing
