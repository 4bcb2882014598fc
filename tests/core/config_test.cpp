#include "core/config.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

TEST(Config, EmptyFileGivesDefaults) {
  const AppConfig config = parse_config("", "empty.toml");
  EXPECT_FALSE(config.database.url.has_value());
  EXPECT_EQ(config.log.level, "info");
}

TEST(Config, ReadsEveryKey) {
  const AppConfig config = parse_config(R"(
[database]
url = "postgresql://warehouse.internal/insights"
[log]
level = "debug"
)",
                                        "full.toml");
  EXPECT_EQ(config.database.url, "postgresql://warehouse.internal/insights");
  EXPECT_EQ(config.log.level, "debug");
}

TEST(Config, ReportsEveryProblemAtOnce) {
  try {
    parse_config(R"(
unknown_top = 1
[database]
url = 5
colour = "blue"
[log]
level = "loud"
[mystery]
)",
                 "bad.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.problems().size(), 5u) << message;
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

}  // namespace
}  // namespace insights
