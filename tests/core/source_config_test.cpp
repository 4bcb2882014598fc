#include "core/source_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "core/config.hpp"

namespace insights {
namespace {

constexpr const char* kTwoSources = R"(
[[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "TWILIO_AUTH_TOKEN"
concurrency = 8
[source.filters]
call_type = ["sip", "trunking"]
direction = "inbound"
has_tag = true
from_carrier = ["AT&T Wireless"]

[[source]]
name = "eu-sub"
account_sid = "AC00000000000000000000000000000001"
api_key_sid = "SK0123456789abcdef0123456789abcdef"
secret_file = "$CREDENTIALS_DIRECTORY/twilio-eu"
api_url = "https://127.0.0.1:8443"
ca_file = "/tmp/sim-ca.pem"
[source.filters]
subaccount = "AC0000000000000000000000000000000a"
)";

TEST(SourceConfig, ReadsSeveralSourcesWithTheirFilters) {
  const AppConfig config = parse_config(kTwoSources, "sources.toml");
  ASSERT_EQ(config.sources.size(), 2u);
  const SourceOptions& main = config.sources[0];
  EXPECT_EQ(main.name, "main");
  EXPECT_EQ(main.username(), "AC00000000000000000000000000000001");
  EXPECT_EQ(main.secret_env, "TWILIO_AUTH_TOKEN");
  EXPECT_EQ(main.concurrency, 8);
  EXPECT_EQ(main.api_url, "https://insights.twilio.com");
  EXPECT_EQ(main.filters.call_type, (std::vector<std::string>{"sip", "trunking"}));
  EXPECT_EQ(main.filters.direction, std::vector<std::string>{"inbound"});
  EXPECT_EQ(main.filters.has_tag, true);
  EXPECT_EQ(main.filters.from_carrier, std::vector<std::string>{"AT&T Wireless"});
  const SourceOptions& eu = config.sources[1];
  EXPECT_EQ(eu.username(), "SK0123456789abcdef0123456789abcdef");
  EXPECT_EQ(eu.concurrency, 4);
  EXPECT_EQ(eu.api_url, "https://127.0.0.1:8443");
  EXPECT_EQ(eu.ca_file, "/tmp/sim-ca.pem");
  EXPECT_EQ(eu.filters.subaccount, "AC0000000000000000000000000000000a");
}

TEST(SourceConfig, ReportsEveryProblemWithItsKey) {
  try {
    parse_config(R"(
[[source]]
name = "bad name!"
account_sid = "AC123"
api_key_sid = "AK0123456789abcdef0123456789abcdef"
secret_env = "A"
secret_file = "/b"
api_url = "ftp://example.com"
concurrency = 0
colour = "red"
[source.filters]
call_type = ["pstn"]
has_tag = "yes"
subaccount = "nope"
region = "us1"

[[source]]
name = "dup"
account_sid = "AC00000000000000000000000000000001"
secret_env = "X"
[[source]]
name = "dup"
account_sid = "AC00000000000000000000000000000001"
)",
                 "bad.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    for (const char* expected :
         {"source[1].name", "source[1].account_sid", "source[1].api_key_sid",
          "source[1].secret_env or source[1].secret_file", "source[1].api_url",
          "source[1].concurrency", "unknown key source[1].colour",
          "source[1].filters.call_type has unknown value \"pstn\"",
          "source[1].filters.has_tag must be true or false", "source[1].filters.subaccount",
          "unknown key source[1].filters.region", "source[3].name \"dup\" is used",
          "source[3].secret_env or source[3].secret_file"}) {
      EXPECT_NE(message.find(expected), std::string::npos) << expected << "\n" << message;
    }
    EXPECT_EQ(error.problems().size(), 13u) << message;
  }
}

// Plain HTTP would send the Basic-auth secret in the clear: refused for any host, local or not,
// unless the source opts in with exactly `allow_insecure_http = true`.
TEST(SourceConfig, PlainHttpNeedsAnExplicitOptIn) {
  const auto source_with = [](const std::string& lines) {
    return "[[source]]\nname = \"s\"\naccount_sid = \"AC00000000000000000000000000000001\"\n"
           "secret_env = \"T\"\n" +
           lines;
  };
  for (const char* url : {"http://insights.twilio.com", "http://127.0.0.1:8080"}) {
    for (const char* opt_in : {"", "allow_insecure_http = false\n"}) {
      try {
        parse_config(source_with("api_url = \"" + std::string(url) + "\"\n" + opt_in), "x.toml");
        ADD_FAILURE() << url << " accepted without the opt-in";
      } catch (const ConfigError& error) {
        ASSERT_EQ(error.problems().size(), 1u) << error.what();
        EXPECT_NE(error.problems()[0].find("source[1].api_url is plain http://"), std::string::npos)
            << error.what();
        EXPECT_NE(error.problems()[0].find("allow_insecure_http = true"), std::string::npos);
      }
    }
  }
  // A string "true" is no opt-in either: the key takes a boolean.
  EXPECT_THROW(parse_config(source_with("api_url = \"http://127.0.0.1:8080\"\n"
                                        "allow_insecure_http = \"true\"\n"),
                            "x.toml"),
               ConfigError);

  const AppConfig opted_in = parse_config(
      source_with("api_url = \"http://127.0.0.1:8080\"\nallow_insecure_http = true\n"), "x.toml");
  EXPECT_EQ(opted_in.sources.at(0).api_url, "http://127.0.0.1:8080");
  EXPECT_TRUE(opted_in.sources.at(0).allow_insecure_http);
  // https needs no opt-in and defaults to none.
  const AppConfig https = parse_config(source_with(""), "x.toml");
  EXPECT_FALSE(https.sources.at(0).allow_insecure_http);
}

TEST(SourceConfig, SecretComesFromTheEnvironmentOrAFileNeverTheConfig) {
  const AppConfig config = parse_config(kTwoSources, "sources.toml");
  std::map<std::string, std::string> environment = {{"TWILIO_AUTH_TOKEN", "env-secret"}};
  const std::string directory = ::testing::TempDir();
  environment["CREDENTIALS_DIRECTORY"] = directory;
  std::ofstream(directory + "/twilio-eu") << "file-secret\n";
  auto lookup = [&](const char* name) -> const char* {
    const auto it = environment.find(name);
    return it == environment.end() ? nullptr : it->second.c_str();
  };
  EXPECT_EQ(load_source_secret(config.sources[0], lookup), "env-secret");
  EXPECT_EQ(load_source_secret(config.sources[1], lookup), "file-secret");

  environment.erase("TWILIO_AUTH_TOKEN");
  try {
    load_source_secret(config.sources[0], lookup);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("TWILIO_AUTH_TOKEN"), std::string::npos);
  }
  environment.erase("CREDENTIALS_DIRECTORY");
  try {
    load_source_secret(config.sources[1], lookup);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("LoadCredential"), std::string::npos);
    EXPECT_EQ(std::string(error.what()).find("file-secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace insights
