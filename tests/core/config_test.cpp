#include "core/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>  // setenv, unsetenv

#include <fstream>

#include "tests/support/test_dir.hpp"

namespace insights {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// The problems parse_config reports (none when the text is a valid config).
std::vector<std::string> problems_of(std::string_view text,
                                     const EnvironmentVariables& overrides = {}) {
  try {
    parse_config(text, "test.toml", overrides);
  } catch (const ConfigError& error) {
    return error.problems();
  }
  return {};
}

// A config with one source; overrides address it as INSIGHTS__SOURCE__EU_SUB__*.
constexpr const char* kOneSource = R"(
[[source]]
name = "eu-sub"
account_sid = "AC00000000000000000000000000000001"
secret_env = "TWILIO_AUTH_TOKEN"
)";

TEST(Config, EmptyFileGivesDefaults) {
  const AppConfig config = parse_config("", "empty.toml");
  EXPECT_FALSE(config.database.url.has_value());
  EXPECT_EQ(config.database.commit_connections, 2);
  EXPECT_EQ(config.log.level, "info");
}

TEST(Config, ReadsEveryKey) {
  const AppConfig config = parse_config(R"(
[database]
url = "postgresql://warehouse.internal/insights"
commit_connections = 4
[log]
level = "debug"
format = "json"
)",
                                        "full.toml");
  EXPECT_EQ(config.database.url, "postgresql://warehouse.internal/insights");
  EXPECT_EQ(config.database.commit_connections, 4);
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_EQ(config.log.format, "json");
}

TEST(Config, ReportsEveryProblemAtOnce) {
  try {
    parse_config(R"(
unknown_top = 1
[database]
url = 5
colour = "blue"
commit_connections = 17
[log]
level = "loud"
format = "xml"
[mystery]
)",
                 "bad.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.problems().size(), 7u) << message;
    EXPECT_NE(message.find("database.commit_connections must be between 1 and 16; got 17"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("log.format must be one of auto, text, journal, json; got \"xml\""),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("bad.toml"), std::string::npos);
    EXPECT_NE(message.find("unknown_top"), std::string::npos);
    EXPECT_NE(message.find("database.url must be a string"), std::string::npos);
    EXPECT_NE(message.find("unknown key database.colour"), std::string::npos);
    EXPECT_NE(message.find("log.level must be one of"), std::string::npos);
    EXPECT_NE(message.find("mystery"), std::string::npos);
  }
}

TEST(Config, SectionThatIsNotATable) {
  try {
    parse_config("database = \"postgresql://x\"\n", "flat.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("\"database\" must be a table"), std::string::npos);
  }
}

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  try {
    parse_config("[database]\nurl = \"unterminated\n", "syntax.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("line 2"), std::string::npos) << error.what();
  }
}

TEST(Config, MissingFileIsAConfigError) {
  EXPECT_THROW(load_config_file("/nonexistent/insights-sync.toml"), ConfigError);
}

TEST(Config, DatabaseUrlPrecedence) {
  AppConfig config;
  EXPECT_EQ(resolve_database_url(std::nullopt, config, nullptr), "");
  EXPECT_EQ(resolve_database_url(std::nullopt, config, "host=env"), "host=env");
  config.database.url = "host=file";
  EXPECT_EQ(resolve_database_url(std::nullopt, config, "host=env"), "host=file");
  EXPECT_EQ(resolve_database_url(std::string("host=cli"), config, "host=env"), "host=cli");
}

TEST(Config, SyncDefaults) {
  const SyncOptions sync = parse_config("", "empty.toml").sync;
  EXPECT_EQ(sync.window_minutes, 60);
  EXPECT_EQ(sync.schedule, LiveSchedule::live);
  EXPECT_EQ(sync.first_read_after_minutes, 40);
  EXPECT_EQ(sync.initial_lookback_hours, 24);
  EXPECT_EQ(sync.settle_after_minutes, 300);
  EXPECT_EQ(sync.completion_delay_minutes, 35);
  EXPECT_EQ(sync.poll_interval_seconds, 60);
  EXPECT_EQ(sync.edge_poll_seconds, 80);
  EXPECT_EQ(sync.completion_read_seconds, 180);
  EXPECT_EQ(sync.reread_interval_seconds, 600);
  EXPECT_EQ(sync.lease_seconds, 60);
  EXPECT_EQ(sync.park_after_attempts, 5);
  EXPECT_EQ(sync.parked_retry_seconds, 3600);
  EXPECT_EQ(sync.once_attempts, 4);
  EXPECT_EQ(sync.straggler_limit, 20);
  EXPECT_EQ(sync.annotation_pass_after_hours, 24);
  EXPECT_EQ(sync.annotation_daily_passes, 3);
  EXPECT_EQ(sync.annotation_pass_interval_days, 7);
  EXPECT_FALSE(sync.instance_name.has_value());
  EXPECT_EQ(parse_config("[sync]\n", "empty-sync.toml").sync.window_minutes, 60);
}

TEST(Config, ReadsEverySyncKey) {
  const SyncOptions sync = parse_config(R"(
[sync]
window_minutes = 15
schedule = "fresh"
first_read_after_minutes = 0
initial_lookback_hours = 0
settle_after_minutes = 2880
completion_delay_minutes = 40
poll_interval_seconds = 30
edge_poll_seconds = 45
completion_read_seconds = 600
reread_interval_seconds = 900
lease_seconds = 120
park_after_attempts = 3
parked_retry_seconds = 0
once_attempts = 7
straggler_limit = 0
annotation_pass_after_hours = 0
annotation_daily_passes = 29
annotation_pass_interval_days = 0
instance_name = "db-host.example:worker_2"
)",
                                        "sync.toml")
                               .sync;
  EXPECT_EQ(sync.window_minutes, 15);
  EXPECT_EQ(sync.schedule, LiveSchedule::fresh);
  EXPECT_EQ(sync.first_read_after_minutes, 0);
  EXPECT_EQ(sync.initial_lookback_hours, 0);
  EXPECT_EQ(sync.settle_after_minutes, 2880);
  EXPECT_EQ(sync.completion_delay_minutes, 40);
  EXPECT_EQ(sync.poll_interval_seconds, 30);
  EXPECT_EQ(sync.edge_poll_seconds, 45);
  EXPECT_EQ(sync.completion_read_seconds, 600);
  EXPECT_EQ(sync.reread_interval_seconds, 900);
  EXPECT_EQ(sync.lease_seconds, 120);
  EXPECT_EQ(sync.park_after_attempts, 3);
  EXPECT_EQ(sync.parked_retry_seconds, 0);
  EXPECT_EQ(sync.once_attempts, 7);
  EXPECT_EQ(sync.straggler_limit, 0);
  EXPECT_EQ(sync.annotation_pass_after_hours, 0);
  EXPECT_EQ(sync.annotation_daily_passes, 29);
  EXPECT_EQ(sync.annotation_pass_interval_days, 0);
  EXPECT_EQ(sync.instance_name, "db-host.example:worker_2");
}

TEST(Config, SyncWindowsAlignWithDays) {
  for (int minutes : {1, 5, 30, 90, 720, 1440}) {
    EXPECT_EQ(problems_of("[sync]\nwindow_minutes = " + std::to_string(minutes) + "\n"),
              std::vector<std::string>{})
        << minutes;
  }
  EXPECT_THAT(problems_of("[sync]\nwindow_minutes = 7\n"),
              Contains(HasSubstr("sync.window_minutes must divide a day (1440 minutes)")));
}

TEST(Config, SyncReportsEveryBadValueAtOnce) {
  const std::vector<std::string> problems = problems_of(R"(
[sync]
window_minutes = 0
schedule = "often"
first_read_after_minutes = 1441
initial_lookback_hours = 721
settle_after_minutes = 0
completion_delay_minutes = 1441
poll_interval_seconds = 0
edge_poll_seconds = 9
completion_read_seconds = 3601
reread_interval_seconds = 9
lease_seconds = 4
park_after_attempts = 101
parked_retry_seconds = 604801
once_attempts = 0
straggler_limit = -1
annotation_pass_after_hours = 697
annotation_daily_passes = 0
annotation_pass_interval_days = 30
instance_name = "bad name!"
colour = "blue"
)");
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "sync.window_minutes must be between 1 and 1440; got 0",
                          "sync.schedule must be one of live, economical, fresh; got \"often\"",
                          "sync.first_read_after_minutes must be between 0 and 1440; got 1441",
                          "sync.initial_lookback_hours must be between 0 and 720; got 721",
                          "sync.settle_after_minutes must be between 1 and 2880; got 0",
                          "sync.completion_delay_minutes must be between 1 and 1440; got 1441",
                          "sync.poll_interval_seconds must be between 1 and 3600; got 0",
                          "sync.edge_poll_seconds must be between 10 and 3600; got 9",
                          "sync.completion_read_seconds must be between 10 and 3600; got 3601",
                          "sync.reread_interval_seconds must be between 10 and 86400; got 9",
                          "sync.lease_seconds must be between 5 and 3600; got 4",
                          "sync.park_after_attempts must be between 1 and 100; got 101",
                          "sync.parked_retry_seconds must be between 0 and 604800; got 604801",
                          "sync.once_attempts must be between 1 and 100; got 0",
                          "sync.straggler_limit must be between 0 and 1000; got -1",
                          "sync.annotation_pass_after_hours must be between 0 and 696; got 697",
                          "sync.annotation_daily_passes must be between 1 and 29; got 0",
                          "sync.annotation_pass_interval_days must be between 0 and 29; got 30",
                          "sync.instance_name must be 1 to 64 characters of letters, digits, "
                          "'_', '.', ':' or '-'; got \"bad name!\"",
                          "unknown key sync.colour",
                      }));
}

TEST(Config, SyncWrongTypesAndNameLength) {
  const std::string longest(64, 'a');
  EXPECT_EQ(
      parse_config("[sync]\ninstance_name = \"" + longest + "\"\n", "long.toml").sync.instance_name,
      longest);
  const std::vector<std::string> problems = problems_of(R"(
[sync]
window_minutes = "60"
lease_seconds = 1.5
instance_name = ""
)");
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_THAT(problems, Contains("sync.window_minutes must be an integer; got \"60\""));
  EXPECT_THAT(problems, Contains("sync.lease_seconds must be an integer; got 1.5"));
  EXPECT_THAT(problems, Contains(HasSubstr("sync.instance_name must be 1 to 64 characters")));
  EXPECT_THAT(problems_of("[sync]\ninstance_name = \"" + longest + "a\"\n"),
              Contains(HasSubstr("sync.instance_name must be 1 to 64")));
  EXPECT_THAT(problems_of("sync = 5\n"), Contains(HasSubstr("\"sync\" must be a table")));
}

TEST(Config, EveryBadValueIsRepeatedStringsQuotedNumbersPlain) {
  // (Tables are read in the order of their names.)
  const std::vector<std::string> problems = problems_of(R"(
[database]
commit_connections = "4"
[log]
level = "loud"
format = 3
[metrics]
listen = "*:9464"
[sync]
lease_seconds = 1.5
once_attempts = true
instance_name = ["a", 2]
[retention]
delete_after_days = "30"
)");
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "database.commit_connections must be an integer; got \"4\"",
                          "log.level must be one of trace, debug, info, warn, error, critical, "
                          "off; got \"loud\"",
                          "log.format must be a string; got 3",
                          "metrics.listen \"*:9464\": \"*\" is not an address; for every "
                          "interface write \":9464\" (or \"[::]:9464\"); \"\" turns the "
                          "endpoint off",
                          "retention.delete_after_days must be an integer; got \"30\"",
                          "sync.lease_seconds must be an integer; got 1.5",
                          "sync.once_attempts must be an integer; got true",
                          "sync.instance_name must be a string; got [\"a\", 2]",
                      }));
}

TEST(Config, RepeatedStringsStayOnePrintableLine) {
  EXPECT_THAT(problems_of("[log]\nlevel = \"a\\\"b\\\\c\\nd\\te\\u0001\"\n"),
              Contains(HasSubstr("got \"a\\\"b\\\\c\\nd\\te\\u0001\"")));
  // Non-ASCII text is kept; bytes that are not UTF-8 (possible in an override) become '?'.
  EXPECT_THAT(problems_of("[log]\nlevel = \"Z\xC3\xBCrich\"\n"),
              Contains(HasSubstr("got \"Z\xC3\xBCrich\"")));
  EXPECT_THAT(problems_of("", {{"INSIGHTS__LOG__LEVEL", "a\xFF\xC3"}}),
              Contains(HasSubstr("got \"a??\"")));
  // A long value is cut after 100 characters.
  const auto problems = problems_of("[log]\nlevel = \"" + std::string(300, 'x') + "\"\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("got \"" + std::string(100, 'x') + "\"..."));
  EXPECT_LT(problems[0].size(), 200u);
  EXPECT_THAT(problems_of("[sync]\nlease_seconds = {a = 1, \"b c\" = [2]}\n"),
              Contains("sync.lease_seconds must be an integer; got {a = 1, \"b c\" = [2]}"));
}

TEST(Config, TheDatabaseUrlIsNeverRepeatedFromTheFileEither) {
  for (const std::string& value : {std::string("[\"postgresql://insights:hunter2@db/insights\"]"),
                                   std::string("{password = \"hunter2\"}"), std::string("1")}) {
    const std::vector<std::string> problems = problems_of("[database]\nurl = " + value + "\n");
    EXPECT_EQ(problems, std::vector<std::string>{"database.url must be a string"}) << value;
  }
  EXPECT_EQ(problems_of("database = \"postgresql://insights:hunter2@db\"\n"),
            std::vector<std::string>{"\"database\" must be a table ([database])"});
}

TEST(Config, AnUnknownKeyOrSectionSuggestsTheNearestKnownOne) {
  EXPECT_EQ(
      problems_of("[sync]\nlease_second = 30\n"),
      std::vector<std::string>{"unknown key sync.lease_second (did you mean sync.lease_seconds?)"});
  EXPECT_EQ(problems_of("[sync]\nLease-Seconds = 30\n"),
            std::vector<std::string>{
                "unknown key sync.Lease-Seconds (did you mean sync.lease_seconds?)"});
  EXPECT_EQ(
      problems_of("[databse]\n"),
      std::vector<std::string>{"unknown section or key \"databse\" (did you mean database?)"});
  EXPECT_EQ(problems_of("[[sources]]\nname = \"x\"\n"),
            std::vector<std::string>{"unknown section or key \"sources\" (did you mean source?)"});
  EXPECT_EQ(problems_of(std::string(kOneSource) + "concurency = 2\n[source.filters]\ncall_typ = "
                                                  "\"sip\"\n"),
            (std::vector<std::string>{
                "source \"eu-sub\" (source[1]): unknown key filters.call_typ (did you mean "
                "filters.call_type?)",
                "source \"eu-sub\" (source[1]): unknown key concurency (did you mean "
                "concurrency?)"}));
  // From the environment: the variable is named, the key suggested.
  EXPECT_EQ(problems_of("", {{"INSIGHTS__SYNC__LEASE_SECOND", "30"}}),
            std::vector<std::string>{"unknown key INSIGHTS__SYNC__LEASE_SECOND "
                                     "(sync.lease_second) (did you mean sync.lease_seconds?)"});
  // Nothing close: no suggestion.
  EXPECT_EQ(
      problems_of("[sync]\ncolour = 1\n[mystery]\n"),
      (std::vector<std::string>{"unknown section or key \"mystery\"", "unknown key sync.colour"}));
}

TEST(ConfigOverrides, IntBoolStringAndArrayValues) {
  const AppConfig config =
      parse_config(std::string(kOneSource) + "[sync]\nwindow_minutes = 60\n", "test.toml",
                   {{"INSIGHTS__SYNC__WINDOW_MINUTES", "30"},
                    {"INSIGHTS__LOG__LEVEL", "debug"},
                    {"INSIGHTS__SYNC__INSTANCE_NAME", "\"worker-1\""},
                    {"INSIGHTS__SOURCE__EU_SUB__FILTERS__HAS_TAG", "true"},
                    {"INSIGHTS__SOURCE__EU_SUB__FILTERS__CALL_TYPE", R"(["sip", "trunking"])"},
                    {"INSIGHTS__DATABASE__URL", "postgresql://insights@db.internal/insights"}});
  EXPECT_EQ(config.sync.window_minutes, 30);  // replaces the file's value
  EXPECT_EQ(config.log.level, "debug");       // not TOML: a plain string
  EXPECT_EQ(config.sync.instance_name, "worker-1");
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].filters.has_tag, true);  // [source.filters] created
  EXPECT_EQ(config.sources[0].filters.call_type, (std::vector<std::string>{"sip", "trunking"}));
  EXPECT_EQ(config.database.url, "postgresql://insights@db.internal/insights");
}

TEST(ConfigOverrides, SourceMatchesByNameIgnoringCaseAndDash) {
  const std::string two_sources = std::string(kOneSource) + R"(
[[source]]
name = "Main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "MAIN_TOKEN"
concurrency = 3
[source.filters]
direction = "inbound"
)";
  const AppConfig config =
      parse_config(two_sources, "test.toml",
                   {{"INSIGHTS__SOURCE__EU_SUB__CONCURRENCY", "2"},
                    {"INSIGHTS__source__Eu-Sub__Ca_File", "/etc/ssl/sim-ca.pem"},
                    {"INSIGHTS__SOURCE__MAIN__FILTERS__DIRECTION", "outbound_api"},
                    {"INSIGHTS__SOURCE__MAIN__SECRET_ENV", "OTHER_TOKEN"}});
  ASSERT_EQ(config.sources.size(), 2u);
  EXPECT_EQ(config.sources[0].concurrency, 2);
  EXPECT_EQ(config.sources[0].ca_file, "/etc/ssl/sim-ca.pem");
  EXPECT_EQ(config.sources[0].filters.direction, std::vector<std::string>{});
  EXPECT_EQ(config.sources[1].concurrency, 3);
  EXPECT_EQ(config.sources[1].filters.direction, std::vector<std::string>{"outbound_api"});
  EXPECT_EQ(config.sources[1].secret_env, "OTHER_TOKEN");
}

TEST(ConfigOverrides, UnknownTableKeyOrSourceNamesTheVariable) {
  const std::vector<std::string> problems =
      problems_of(kOneSource, {{"INSIGHTS__MYSTERY__DEPTH", "3"},
                               {"INSIGHTS__SYNC__COLOUR", "blue"},
                               {"INSIGHTS__SOURCE__NOPE__CONCURRENCY", "2"},
                               {"INSIGHTS__SOURCE__EU_SUB__REGION", "ie1"},
                               {"INSIGHTS__SOURCE__EU_SUB__FILTERS__COLOUR", "red"},
                               {"INSIGHTS__LOG", "debug"},
                               {"INSIGHTS__SOURCE__EU_SUB", "{concurrency = 2}"}});
  EXPECT_EQ(problems.size(), 7u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems, Contains("INSIGHTS__MYSTERY__DEPTH names an unknown table \"mystery\" "
                                 "(expected database, log, metrics, sync, retention, or source)"));
  EXPECT_THAT(problems, Contains("unknown key INSIGHTS__SYNC__COLOUR (sync.colour)"));
  EXPECT_THAT(problems, Contains("INSIGHTS__SOURCE__NOPE__CONCURRENCY names no [[source]] of the "
                                 "configuration (sources: \"eu-sub\")"));
  EXPECT_THAT(problems, Contains("source \"eu-sub\" (source[1]): unknown key "
                                 "INSIGHTS__SOURCE__EU_SUB__REGION (region)"));
  EXPECT_THAT(problems, Contains("source \"eu-sub\" (source[1]): unknown key "
                                 "INSIGHTS__SOURCE__EU_SUB__FILTERS__COLOUR (filters.colour)"));
  EXPECT_THAT(problems, Contains(HasSubstr("INSIGHTS__LOG names no key")));
  EXPECT_THAT(problems, Contains(HasSubstr("INSIGHTS__SOURCE__EU_SUB names no key")));
}

TEST(ConfigOverrides, BadValueNamesTheVariable) {
  const std::vector<std::string> problems =
      problems_of(kOneSource, {{"INSIGHTS__SYNC__WINDOW_MINUTES", "0"},
                               {"INSIGHTS__SYNC__LEASE_SECONDS", "soon"},
                               {"INSIGHTS__SOURCE__EU_SUB__FILTERS__HAS_TAG", "yes"},
                               {"INSIGHTS__SOURCE__EU_SUB__SECRET_FILE", "/run/secret"}});
  EXPECT_EQ(problems.size(), 4u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems, Contains("INSIGHTS__SYNC__WINDOW_MINUTES (sync.window_minutes) must be "
                                 "between 1 and 1440; got 0"));
  EXPECT_THAT(problems, Contains("INSIGHTS__SYNC__LEASE_SECONDS (sync.lease_seconds) must be an "
                                 "integer; got \"soon\""));
  EXPECT_THAT(problems, Contains("source \"eu-sub\" (source[1]): "
                                 "INSIGHTS__SOURCE__EU_SUB__FILTERS__HAS_TAG (filters.has_tag) "
                                 "must be true or false; got \"yes\""));
  // A rule about two keys, one of them from the environment.
  EXPECT_THAT(problems, Contains(HasSubstr("source \"eu-sub\" (source[1]): secret_env or "
                                           "INSIGHTS__SOURCE__EU_SUB__SECRET_FILE (secret_file): "
                                           "set exactly one")));
}

TEST(ConfigOverrides, KeysOfATableGivenWholeNameTheVariable) {
  EXPECT_THAT(problems_of(kOneSource,
                          {{"INSIGHTS__SOURCE__EU_SUB__FILTERS", R"({direction = "sideways"})"}}),
              Contains(HasSubstr("source \"eu-sub\" (source[1]): INSIGHTS__SOURCE__EU_SUB__FILTERS "
                                 "(filters.direction) has unknown value \"sideways\"")));
}

TEST(ConfigOverrides, TwoVariablesForOneKeyAreAProblem) {
  EXPECT_THAT(problems_of("", {{"INSIGHTS__SYNC__LEASE_SECONDS", "30"},
                               {"INSIGHTS__sync__lease_seconds", "40"}}),
              Contains("INSIGHTS__SYNC__LEASE_SECONDS and INSIGHTS__sync__lease_seconds both set "
                       "sync.lease_seconds"));
}

TEST(ConfigOverrides, DatabaseUrlValueIsNeverRepeated) {
  const std::string secret = "hunter2";
  for (const std::string& value :
       {"[\"postgresql://insights:" + secret + "@db/insights\"]",
        "{url = \"postgresql://insights:" + secret + "@db/insights\"}"}) {
    try {
      parse_config("", "test.toml",
                   {{"INSIGHTS__DATABASE__URL", value}, {"INSIGHTS__DATABASE__URI", value}});
      FAIL() << "expected ConfigError";
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("INSIGHTS__DATABASE__URL (database.url) must be a string"),
                std::string::npos)
          << message;
      EXPECT_NE(message.find("unknown key INSIGHTS__DATABASE__URI"), std::string::npos) << message;
      EXPECT_EQ(message.find(secret), std::string::npos) << message;
    }
  }
  // A libpq keyword string is not TOML: it is taken as it is.
  EXPECT_EQ(
      parse_config("", "test.toml", {{"INSIGHTS__DATABASE__URL", "host=db password=" + secret}})
          .database.url,
      "host=db password=" + secret);
}

TEST(ConfigOverrides, OtherVariablesAreIgnored) {
  const AppConfig config = parse_config("", "test.toml",
                                        {{"PATH", "/usr/bin"},
                                         {"INSIGHTS_SYNC__WINDOW_MINUTES", "0"},
                                         {"insights__sync__window_minutes", "0"},
                                         {"DATABASE_URL", "host=elsewhere"}});
  EXPECT_EQ(config.sync.window_minutes, 60);
  EXPECT_FALSE(config.database.url.has_value());
}

TEST(ConfigOverrides, WorkWithoutAConfigFile) {
  EXPECT_EQ(load_config(std::nullopt, {}).sync.window_minutes, 60);
  const AppConfig config = load_config(
      std::nullopt, {{"INSIGHTS__SYNC__WINDOW_MINUTES", "20"}, {"INSIGHTS__LOG__LEVEL", "warn"}});
  EXPECT_EQ(config.sync.window_minutes, 20);
  EXPECT_EQ(config.log.level, "warn");
  try {
    load_config(std::nullopt, {{"INSIGHTS__SOURCE__MAIN__CONCURRENCY", "2"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.problems(),
                Contains("INSIGHTS__SOURCE__MAIN__CONCURRENCY names no [[source]] of the "
                         "configuration (there are none)"));
  }
}

TEST(ConfigOverrides, ApplyToAConfigFile) {
  testing::TestDir dir("config-overrides");
  const std::string path = dir.path() + "/insights-sync.toml";
  std::ofstream(path) << "[sync]\nwindow_minutes = 30\nlease_seconds = 90\n";
  const AppConfig config = load_config(path, {{"INSIGHTS__SYNC__LEASE_SECONDS", "45"}});
  EXPECT_EQ(config.sync.window_minutes, 30);
  EXPECT_EQ(config.sync.lease_seconds, 45);
  EXPECT_THROW(load_config(std::filesystem::path("/nonexistent/insights-sync.toml"), {}),
               ConfigError);
}

TEST(ConfigOverrides, ReadsTheProcessEnvironment) {
  ASSERT_EQ(setenv("INSIGHTS__CONFIG_TEST__KEY", "a=b", 1), 0);
  ASSERT_EQ(setenv("CONFIG_TEST_NOT_INSIGHTS", "x", 1), 0);
  const EnvironmentVariables variables = insights_environment();
  unsetenv("INSIGHTS__CONFIG_TEST__KEY");
  unsetenv("CONFIG_TEST_NOT_INSIGHTS");
  EXPECT_THAT(variables,
              Contains(std::pair<std::string, std::string>("INSIGHTS__CONFIG_TEST__KEY", "a=b")));
  for (const auto& [name, value] : variables)
    EXPECT_TRUE(name.starts_with("INSIGHTS__")) << name;
}

TEST(ConfigRetention, IsOffByDefault) {
  const AppConfig config = parse_config("", "empty.toml");
  EXPECT_EQ(config.retention.delete_after_days, 0);
  EXPECT_FALSE(config.retention.enabled());
  EXPECT_FALSE(retention_warning(config.retention).has_value());
  EXPECT_FALSE(
      parse_config("[retention]\ndelete_after_days = 0\n", "zero.toml").retention.enabled());
}

TEST(ConfigRetention, ReadsDaysAndWarnsBelowTwilioRetention) {
  const AppConfig year = parse_config("[retention]\ndelete_after_days = 365\n", "year.toml");
  EXPECT_EQ(year.retention.delete_after_days, 365);
  EXPECT_TRUE(year.retention.enabled());
  EXPECT_FALSE(retention_warning(year.retention).has_value());
  EXPECT_FALSE(retention_warning(RetentionOptions{.delete_after_days = 30}).has_value());

  const AppConfig week = parse_config("[retention]\ndelete_after_days = 7\n", "week.toml");
  EXPECT_EQ(week.retention.delete_after_days, 7);
  const auto warning = retention_warning(week.retention);
  ASSERT_TRUE(warning.has_value());
  EXPECT_THAT(*warning, HasSubstr("delete_after_days = 7 deletes summaries Twilio still serves"));
}

TEST(ConfigRetention, RejectsBadValuesWithTheirKey) {
  for (const char* value : {"-1", "36501", "1.5", "\"30\"", "true", "[30]"}) {
    const auto problems =
        problems_of(std::string("[retention]\ndelete_after_days = ") + value + "\n");
    ASSERT_EQ(problems.size(), 1u) << value;
    EXPECT_THAT(problems[0], HasSubstr("retention.delete_after_days must be")) << value;
  }
  EXPECT_THAT(problems_of("[retention]\ndelete_after = 30\n"),
              Contains("unknown key retention.delete_after"));
  EXPECT_THAT(problems_of("retention = 30\n"),
              Contains(HasSubstr("\"retention\" must be a table")));
}

TEST(ConfigRetention, CanComeFromTheEnvironment) {
  const AppConfig config =
      parse_config("", "env.toml", {{"INSIGHTS__RETENTION__DELETE_AFTER_DAYS", "90"}});
  EXPECT_EQ(config.retention.delete_after_days, 90);
  EXPECT_THAT(problems_of("", {{"INSIGHTS__RETENTION__DELETE_AFTER_DAYS", "-5"}}),
              Contains(HasSubstr("INSIGHTS__RETENTION__DELETE_AFTER_DAYS "
                                 "(retention.delete_after_days) must be between 0 and 36500")));
}

}  // namespace
}  // namespace insights
