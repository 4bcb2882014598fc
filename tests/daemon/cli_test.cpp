// Runs the real insights-sync binary, as a user or systemd would.
#include "daemon/cli.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <pqxx/nontransaction>

#include "core/exit_codes.hpp"
#include "schema/embedded_migrations.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/test_database.hpp"

namespace insights::testing {
namespace {

using Outcome = CommandOutcome;

// Runs the binary with `arguments` (already shell-quoted) and `environment` assignments.
Outcome run_insights_sync(const std::string& arguments, const std::string& environment = "") {
  return run_shell("env " + environment + " " + INSIGHTS_SYNC_BINARY + " " + arguments);
}

std::string quoted(const std::string& value) {
  return "'" + value + "'";
}

// The files a test writes live in one directory under gtest's temp dir, named after this process
// (ctest runs tests of this binary side by side), removed when the tests end unless one failed.
const std::string& temp_root() {
  static const std::string root = [] {
    std::string path = ::testing::TempDir() + "cli-" + std::to_string(getpid());
    std::filesystem::create_directories(path);
    return path;
  }();
  return root;
}
class RemoveTempRoot : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!::testing::UnitTest::GetInstance()->Failed())
      std::filesystem::remove_all(temp_root());
  }
};
[[maybe_unused]] const auto* const kRemoveTempRoot =
    ::testing::AddGlobalTestEnvironment(new RemoveTempRoot);

std::string temp_path(const std::string& name) {
  return temp_root() + "/" + name;
}

std::string write_temp_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

// A config with one source whose secret comes from $INSIGHTS_TEST_TWILIO_TOKEN (kWithToken).
std::string one_source_config(const std::string& extra = "") {
  return write_temp_file("one-source.toml", extra + R"(
[[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "INSIGHTS_TEST_TWILIO_TOKEN"
)");
}
const std::string kWithToken = "INSIGHTS_TEST_TWILIO_TOKEN=test-token";

TEST(Cli, MigrateTwiceCreatesTheSchemaOnce) {
  TestDatabase db;
  const auto first = run_insights_sync("migrate --database-url " + quoted(db.conninfo()));
  EXPECT_EQ(first.exit_code, kExitOk) << first.output;
  EXPECT_NE(first.output.find("schema migrated from version 0"), std::string::npos) << first.output;
  const auto second = run_insights_sync("migrate --database-url " + quoted(db.conninfo()));
  EXPECT_EQ(second.exit_code, kExitOk) << second.output;
  EXPECT_NE(second.output.find("nothing to do"), std::string::npos) << second.output;
  auto connection = db.connect();
  pqxx::nontransaction query(*connection);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(),
            static_cast<int>(embedded_migrations().size()));
}

TEST(Cli, DatabaseComesFromDatabaseUrlThenTheLibpqEnvironment) {
  TestDatabase db;
  const auto from_env = run_insights_sync("migrate", "DATABASE_URL=" + quoted(db.conninfo()));
  EXPECT_EQ(from_env.exit_code, kExitOk) << from_env.output;
  // With no DATABASE_URL, libpq's PGDATABASE (plus PGHOST/PGPORT/PGUSER from the harness).
  const auto from_pg_env = run_insights_sync("migrate", "-u DATABASE_URL PGDATABASE=" + db.name());
  EXPECT_EQ(from_pg_env.exit_code, kExitOk) << from_pg_env.output;
  EXPECT_NE(from_pg_env.output.find("nothing to do"), std::string::npos) << from_pg_env.output;
}

TEST(Cli, RunRefusesASchemaNewerThanItKnows) {
  TestDatabase db;
  db.migrate();
  {
    auto connection = db.connect();
    pqxx::nontransaction(*connection)
        .exec0("INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')");
  }
  const auto outcome = run_insights_sync(
      "run --config " + quoted(one_source_config()) + " --database-url " + quoted(db.conninfo()),
      kWithToken);
  EXPECT_EQ(outcome.exit_code, kExitSchemaMismatch) << outcome.output;
  EXPECT_NE(outcome.output.find("newer than this insights-sync knows"), std::string::npos)
      << outcome.output;
  const auto migrate = run_insights_sync("migrate --database-url " + quoted(db.conninfo()));
  EXPECT_EQ(migrate.exit_code, kExitSchemaMismatch) << migrate.output;
}

TEST(Cli, RunRefusesAnUnmigratedDatabase) {
  TestDatabase db;
  const auto outcome = run_insights_sync(
      "run --config " + quoted(one_source_config()) + " --database-url " + quoted(db.conninfo()),
      kWithToken);
  EXPECT_EQ(outcome.exit_code, kExitSchemaMismatch) << outcome.output;
  EXPECT_NE(outcome.output.find("run `insights-sync migrate` first"), std::string::npos)
      << outcome.output;
}

TEST(Cli, UnreachableDatabaseIsADatabaseError) {
  const auto outcome =
      run_insights_sync("migrate --database-url " + quoted("host=/nonexistent port=1"));
  EXPECT_EQ(outcome.exit_code, kExitDatabase) << outcome.output;
  EXPECT_NE(outcome.output.find("cannot connect to PostgreSQL"), std::string::npos)
      << outcome.output;
}

TEST(Cli, MissingDatabaseIsADatabaseError) {
  const auto outcome = run_insights_sync("migrate", "PGDATABASE=no_such_database_here");
  EXPECT_EQ(outcome.exit_code, kExitDatabase) << outcome.output;
  EXPECT_NE(outcome.output.find("no_such_database_here"), std::string::npos) << outcome.output;
}

TEST(Cli, PasswordInTheConnectionStringIsWarnedAboutAndNeverPrinted) {
  const auto outcome = run_insights_sync("migrate --database-url " +
                                         quoted("host=/nonexistent port=1 password=s3cr3t-Tok3n"));
  EXPECT_EQ(outcome.exit_code, kExitDatabase) << outcome.output;
  EXPECT_NE(outcome.output.find("contains a password"), std::string::npos) << outcome.output;
  EXPECT_EQ(outcome.output.find("s3cr3t-Tok3n"), std::string::npos) << outcome.output;
}

TEST(Cli, BadConfigFileListsEveryProblemAndExitsWithExConfig) {
  const std::string path =
      write_temp_file("bad.toml", "[database]\nurl = 1\n[log]\nlevel = \"chatty\"\n");
  const auto outcome = run_insights_sync("check-config --config " + quoted(path));
  EXPECT_EQ(outcome.exit_code, kExitConfig) << outcome.output;
  EXPECT_NE(outcome.output.find("2 problems"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("database.url"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("log.level"), std::string::npos) << outcome.output;
}

TEST(Cli, CheckConfigLoadsEverySourcesSecret) {
  const std::string path = write_temp_file("sources.toml", R"(
[[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "INSIGHTS_TEST_TWILIO_TOKEN"
[[source]]
name = "other"
account_sid = "AC00000000000000000000000000000002"
secret_file = "/nonexistent/secret"
)");
  const auto missing =
      run_insights_sync("check-config --config " + quoted(path), "-u INSIGHTS_TEST_TWILIO_TOKEN");
  EXPECT_EQ(missing.exit_code, kExitConfig) << missing.output;
  EXPECT_NE(missing.output.find("source \"main\" (source[1]): the environment variable "
                                "INSIGHTS_TEST_TWILIO_TOKEN (secret_env) is not set or empty"),
            std::string::npos)
      << missing.output;
  EXPECT_NE(missing.output.find("source \"other\" (source[2]): cannot read secret_file "
                                "/nonexistent/secret: No such file or directory"),
            std::string::npos)
      << missing.output;

  const std::string secret_file = write_temp_file("secret", "s3cr3t-v4lue\n");
  std::string config = R"([[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_file = ")" + secret_file +
                       "\"\n";
  const auto good = run_insights_sync("check-config --config " +
                                      quoted(write_temp_file("good-sources.toml", config)));
  EXPECT_EQ(good.exit_code, kExitOk) << good.output;
  EXPECT_NE(good.output.find("1 source"), std::string::npos) << good.output;
  EXPECT_NE(good.output.find("source \"main\" (source[1]): secret from secret_file " + secret_file),
            std::string::npos)
      << good.output;
  EXPECT_EQ(good.output.find("s3cr3t-v4lue"), std::string::npos) << good.output;
}

TEST(Cli, CheckConfigReadsEveryCaFile) {
  const std::string directory = temp_path("ca-files");
  std::filesystem::create_directories(directory);
  const std::string not_a_ca = write_temp_file("ca-files/not-a-ca.pem", "hello\n");
  const std::string path = write_temp_file("ca-sources.toml", R"(
[[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "INSIGHTS_TEST_TWILIO_TOKEN"
ca_file = ")" + directory + R"(/missing.pem"
[[source]]
name = "other"
account_sid = "AC00000000000000000000000000000002"
secret_env = "INSIGHTS_TEST_TWILIO_TOKEN"
ca_file = ")" + not_a_ca + R"("
api_url = "https://insights.twilio.com/v1"
)");
  const auto outcome = run_insights_sync("check-config --config " + quoted(path), kWithToken);
  EXPECT_EQ(outcome.exit_code, kExitConfig) << outcome.output;
  EXPECT_NE(outcome.output.find("3 problems"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("source \"main\" (source[1]): cannot read ca_file " + directory +
                                "/missing.pem: No such file or directory"),
            std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("source \"other\" (source[2]): ca_file " + not_a_ca +
                                " holds no PEM certificate OpenSSL can load"),
            std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("source \"other\" (source[2]): api_url cannot be used: base URL "
                                "\"https://insights.twilio.com/v1\""),
            std::string::npos)
      << outcome.output;
}

TEST(Cli, GoodConfigFileChecksOut) {
  const std::string path = one_source_config("[log]\nlevel = \"warn\"\n");
  const auto outcome =
      run_insights_sync("check-config --log-level info --config " + quoted(path), kWithToken);
  EXPECT_EQ(outcome.exit_code, kExitOk) << outcome.output;
  const auto before = run_insights_sync("--config " + quoted(path) + " check-config", kWithToken);
  EXPECT_EQ(before.exit_code, kExitOk) << before.output;
  EXPECT_NE(outcome.output.find("configuration is valid"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("check-config --connect checks them"), std::string::npos)
      << outcome.output;
}

TEST(Cli, CheckConfigNamesTheSourceEchoesTheValueAndSuggestsTheKey) {
  const std::string path =
      one_source_config("[sync]\nlease_second = 30\n[log]\nlevel = \"loud\"\n");
  std::ofstream(path, std::ios::app) << "concurrency = 0\n";
  const auto outcome = run_insights_sync("check-config --config " + quoted(path), kWithToken);
  EXPECT_EQ(outcome.exit_code, kExitConfig) << outcome.output;
  for (const char* expected :
       {"source \"main\" (source[1]): concurrency must be from 1 to 64; got 0",
        "log.level must be one of trace, debug, info, warn, error, critical, off; got \"loud\"",
        "unknown key sync.lease_second (did you mean sync.lease_seconds?)"}) {
    EXPECT_NE(outcome.output.find(expected), std::string::npos) << expected << "\n"
                                                                << outcome.output;
  }
}

TEST(Cli, TheExampleConfigChecksOut) {
  const std::string credentials = temp_path("credentials");
  std::filesystem::create_directories(credentials);
  std::ofstream(credentials + "/twilio-token") << "example-secret\n";
  const auto outcome = run_insights_sync(
      "check-config --config " +
          quoted(std::string(INSIGHTS_SOURCE_DIR) + "/deploy/insights-sync.example.toml"),
      "CREDENTIALS_DIRECTORY=" + quoted(credentials));
  EXPECT_EQ(outcome.exit_code, kExitOk) << outcome.output;
  EXPECT_EQ(outcome.output.find("example-secret"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("source \"main\" (source[1]): secret from secret_file " +
                                credentials + "/twilio-token"),
            std::string::npos)
      << outcome.output;

  // Outside systemd, without the variable: how to check it.
  const auto outside = run_insights_sync(
      "check-config --config " +
          quoted(std::string(INSIGHTS_SOURCE_DIR) + "/deploy/insights-sync.example.toml"),
      "-u CREDENTIALS_DIRECTORY");
  EXPECT_EQ(outside.exit_code, kExitConfig) << outside.output;
  EXPECT_NE(outside.output.find("source \"main\" (source[1]): secret_file "
                                "\"$CREDENTIALS_DIRECTORY/twilio-token\" needs "
                                "$CREDENTIALS_DIRECTORY, which is not set"),
            std::string::npos)
      << outside.output;
  EXPECT_NE(outside.output.find("CREDENTIALS_DIRECTORY=/etc/insights-sync insights-sync --config "
                                "/etc/insights-sync/insights-sync.toml check-config"),
            std::string::npos)
      << outside.output;
}

TEST(Cli, AConfigWithoutSourcesHasNothingToSync) {
  const std::string path = write_temp_file("no-sources.toml", "[log]\nlevel = \"warn\"\n");
  for (const char* command : {"check-config", "run", "sync --once"}) {
    const auto outcome = run_insights_sync(std::string(command) + " --config " + quoted(path));
    EXPECT_EQ(outcome.exit_code, kExitConfig) << command << "\n" << outcome.output;
    EXPECT_NE(outcome.output.find("no [[source]] is configured"), std::string::npos)
        << outcome.output;
  }
}

TEST(Cli, BadCommandLinesExitWithUsage) {
  for (const char* arguments : {"", "frobnicate", "migrate --no-such-flag",
                                "migrate --log-level shouty", "run --config /nonexistent.toml",
                                "sync", "status --jsn", "backfill --from 3d", "backfill --to 0m"}) {
    const auto outcome = run_insights_sync(arguments);
    EXPECT_EQ(outcome.exit_code, kExitUsage) << arguments << "\n" << outcome.output;
  }
}

TEST(Cli, BadBackfillRangesAreClearErrorsAndEnqueueNothing) {
  TestDatabase db;
  db.migrate();
  const std::string common =
      " --config " + quoted(one_source_config()) + " --database-url " + quoted(db.conninfo());
  const std::pair<const char*, const char*> cases[] = {
      {"--from 1d --to 3d", "is reversed: --from must be before --to"},
      {"--from 2026-11-01 --to 2026-11-01", "is empty"},
      {"--from yesterday --to 0m", "--from \"yesterday\" is not a time"},
      {"--from 3d --to 7x", "--to \"7x\" is not a time"},
      {"--from 90d --to 60d", "entirely beyond Twilio's 30-day retention"},
      {"--from 3d --to 0m --source nope", "\"nope\" is not a configured source; configured: main"},
  };
  for (const auto& [arguments, message] : cases) {
    const auto outcome =
        run_insights_sync("backfill " + std::string(arguments) + common, kWithToken);
    EXPECT_EQ(outcome.exit_code, kExitUsage) << arguments << "\n" << outcome.output;
    EXPECT_NE(outcome.output.find(message), std::string::npos) << outcome.output;
  }
  auto connection = db.connect();
  pqxx::nontransaction query(*connection);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM backfills")[0].as<int>(), 0);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM work_items")[0].as<int>(), 0);
}

TEST(Cli, BackfillBeyondRetentionIsClampedWithAWarningAndEnqueueingTwiceAddsNothing) {
  TestDatabase db;
  db.migrate();
  const std::string arguments = "backfill --from 40d --to 29d --config " +
                                quoted(one_source_config()) + " --database-url " +
                                quoted(db.conninfo());
  const auto first = run_insights_sync(arguments, kWithToken);
  EXPECT_EQ(first.exit_code, kExitOk) << first.output;
  EXPECT_NE(first.output.find("beyond Twilio's 30-day retention; clamped to"), std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("backfill #1 of source main"), std::string::npos) << first.output;
  const auto second = run_insights_sync(arguments, kWithToken);
  EXPECT_EQ(second.exit_code, kExitOk) << second.output;
  EXPECT_NE(second.output.find("0 new windows"), std::string::npos) << second.output;
  auto connection = db.connect();
  pqxx::nontransaction query(*connection);
  // One day (clamped at 30 days back, aligned to hours): 24 or 25 windows, none twice.
  const int windows = query.exec1("SELECT count(*) FROM work_items")[0].as<int>();
  EXPECT_GE(windows, 24);
  EXPECT_LE(windows, 25);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM backfills")[0].as<int>(), 2);
}

TEST(Cli, HelpAndVersionExitZero) {
  const auto help = run_insights_sync("--help");
  EXPECT_EQ(help.exit_code, kExitOk);
  EXPECT_NE(help.output.find("migrate"), std::string::npos) << help.output;
  const auto version = run_insights_sync("--version");
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_NE(version.output.find("insights-sync "), std::string::npos) << version.output;
  EXPECT_NE(version.output.find("(git "), std::string::npos) << "and the git revision";
}

}  // namespace
}  // namespace insights::testing
