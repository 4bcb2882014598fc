// metrics.listen: every form `run` can bind is accepted, with its host and port; the forms it
// cannot (a wildcard "*", an IPv6 address without brackets, a missing or bad port) are refused
// with what to write instead.
#include "core/listen_address.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config.hpp"

namespace insights {
namespace {

using ::testing::HasSubstr;

ListenAddress accepted(std::string_view text) {
  std::string problem;
  const auto address = parse_listen_address(text, problem);
  EXPECT_TRUE(address.has_value()) << text << ": " << problem;
  return address.value_or(ListenAddress{"(refused)", 0});
}

std::string refusal(std::string_view text) {
  std::string problem;
  EXPECT_FALSE(parse_listen_address(text, problem).has_value()) << text;
  return problem;
}

TEST(ListenAddress, AcceptsAddressesHostNamesAndAPortAlone) {
  EXPECT_EQ(accepted("127.0.0.1:9464").host, "127.0.0.1");
  EXPECT_EQ(accepted("127.0.0.1:9464").port, 9464);
  EXPECT_EQ(accepted("0.0.0.0:0").host, "0.0.0.0");
  EXPECT_EQ(accepted("[::1]:9464").host, "::1");
  EXPECT_EQ(accepted("[::]:9464").host, "::");
  EXPECT_EQ(accepted("localhost:9464").host, "localhost");
  EXPECT_EQ(accepted("metrics.example.internal:65535").port, 65535);
  EXPECT_EQ(accepted(":9464").host, "");
  EXPECT_EQ(accepted("9464").host, "");
  EXPECT_EQ(accepted("9464").port, 9464);
}

TEST(ListenAddress, RefusesWhatRunCannotBindAndSaysWhatToWrite) {
  EXPECT_THAT(refusal("*:9464"), HasSubstr("for every interface write \":9464\""));
  EXPECT_THAT(refusal("::1:9464"), HasSubstr("in brackets: \"[::1]:9464\""));
  EXPECT_THAT(refusal("[::1:9464"), HasSubstr("not an IPv6 address in brackets"));
  EXPECT_THAT(refusal("[10.0.0.1]:9464"), HasSubstr("not an IPv6 address in brackets"));
  EXPECT_THAT(refusal("127.0.0.1"), HasSubstr("needs a port from 0 to 65535"));
  EXPECT_THAT(refusal("127.0.0.1:"), HasSubstr("needs a port"));
  EXPECT_THAT(refusal("localhost:65536"), HasSubstr("needs a port"));
  EXPECT_THAT(refusal("localhost:http"), HasSubstr("needs a port"));
  EXPECT_THAT(refusal("under_score:9464"), HasSubstr("neither an IP address nor a host name"));
  EXPECT_THAT(refusal("-bad.example:9464"), HasSubstr("neither an IP address nor a host name"));
}

TEST(ListenAddress, TheConfigLoaderEchoesTheValueAndAcceptsTheOff) {
  try {
    parse_config("[metrics]\nlisten = \"*:9464\"\n", "listen.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("metrics.listen \"*:9464\": \"*\" is not an address"));
  }
  EXPECT_EQ(parse_config("[metrics]\nlisten = \"\"\n", "off.toml").metrics.listen, "");
  EXPECT_EQ(parse_config("[metrics]\nlisten = \"[::]:9464\"\n", "v6.toml").metrics.listen,
            "[::]:9464");
}

}  // namespace
}  // namespace insights
