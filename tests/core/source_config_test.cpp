#include "core/source_config.hpp"

#include <gtest/gtest.h>

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
         {"source[1]: name must be letters, digits, '_' or '-', at most 64 characters; got "
          "\"bad name!\"",
          "source[1]: account_sid must be AC followed by 32 hex digits; got \"AC123\"",
          "source[1]: api_key_sid must be an API key SID (SK followed by 32 hex digits); got "
          "\"AK0123456789abcdef0123456789abcdef\"",
          "source[1]: secret_env or secret_file: set exactly one",
          "source[1]: api_url must start with https:// (or http:// for a local simulator); got "
          "\"ftp://example.com\"",
          "source[1]: concurrency must be from 1 to 64; got 0", "source[1]: unknown key colour",
          "source[1]: filters.call_type has unknown value \"pstn\"",
          "source[1]: filters.has_tag must be true or false; got \"yes\"",
          "source[1]: filters.subaccount must be an Account SID (AC followed by 32 hex digits); "
          "got \"nope\"",
          "source[1]: unknown key filters.region",
          "source \"dup\" (source[3]): name \"dup\" is used by another source (source[2])",
          "source \"dup\" (source[3]): secret_env or secret_file"}) {
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
        EXPECT_NE(error.problems()[0].find("source \"s\" (source[1]): api_url is plain http://"),
                  std::string::npos)
            << error.what();
        EXPECT_NE(error.problems()[0].find(std::string("; got \"") + url + "\""), std::string::npos)
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

TEST(SourceConfig, ProblemsNameTheSourceByItsNameAndPosition) {
  const auto problems_of = [](const std::string& text) {
    try {
      parse_config(text, "named.toml");
    } catch (const ConfigError& error) {
      return error.problems();
    }
    return std::vector<std::string>{};
  };
  const std::string main =
      "[[source]]\nname = \"main\"\n"
      "account_sid = \"AC00000000000000000000000000000001\"\n"
      "secret_env = \"T\"\n";
  EXPECT_EQ(problems_of(main + "concurrency = 0\n"),
            std::vector<std::string>{
                "source \"main\" (source[1]): concurrency must be from 1 to 64; got 0"});
  // The second source is named by its own name and position.
  EXPECT_EQ(problems_of(main + "[[source]]\nname = \"eu\"\n"
                               "account_sid = \"AC00000000000000000000000000000002\"\n"
                               "secret_env = \"T\"\nconcurrency = 65\n"),
            std::vector<std::string>{
                "source \"eu\" (source[2]): concurrency must be from 1 to 64; got 65"});
  // Without a valid name, by its position alone.
  EXPECT_EQ(problems_of("[[source]]\naccount_sid = \"AC00000000000000000000000000000001\"\n"
                        "secret_env = \"T\"\nconcurrency = 0\n"),
            (std::vector<std::string>{
                "source[1]: name is required: letters, digits, '_' or '-', at most 64 characters",
                "source[1]: concurrency must be from 1 to 64; got 0"}));
  // A name from the environment is the name the messages use.
  try {
    parse_config(main + "concurrency = 0\n", "named.toml",
                 {{"INSIGHTS__SOURCE__MAIN__NAME", "primary"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.problems(),
              std::vector<std::string>{
                  "source \"primary\" (source[1]): concurrency must be from 1 to 64; got 0"});
  }
}

// User information in api_url would be repeated by messages and logs: refused, and not repeated.
TEST(SourceConfig, ApiUrlWithUserInformationIsRefusedWithoutRepeatingIt) {
  try {
    parse_config(
        "[[source]]\nname = \"main\"\n"
        "account_sid = \"AC00000000000000000000000000000001\"\nsecret_env = \"T\"\n"
        "api_url = \"https://AC1:s3cr3t@insights.twilio.com/\"\n",
        "userinfo.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.problems().size(), 1u) << error.what();
    EXPECT_EQ(error.problems()[0],
              "source \"main\" (source[1]): api_url must not hold user information "
              "(\"user:password@\" before the host): the secret goes in secret_env or "
              "secret_file; got \"https://...@insights.twilio.com/\"");
  }
}

}  // namespace
}  // namespace insights
