#include "api/url_guard.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

TEST(ParseBaseUrl, AcceptsHttpsAndHttpWithDefaultPorts) {
  const BaseUrl twilio = parse_base_url("https://insights.twilio.com");
  EXPECT_EQ(twilio.scheme, "https");
  EXPECT_EQ(twilio.host, "insights.twilio.com");
  EXPECT_EQ(twilio.port, 443);
  EXPECT_EQ(twilio.host_header(), "insights.twilio.com");
  EXPECT_EQ(twilio.authority(), "insights.twilio.com:443");

  const BaseUrl local = parse_base_url("HTTP://LocalHost:8080/");
  EXPECT_EQ(local.scheme, "http");
  EXPECT_EQ(local.host, "localhost");
  EXPECT_EQ(local.port, 8080);
  EXPECT_EQ(local.host_header(), "localhost:8080");

  const BaseUrl ipv6 = parse_base_url("https://[::1]:8443");
  EXPECT_EQ(ipv6.host, "::1");
  EXPECT_EQ(ipv6.authority(), "[::1]:8443");
}

TEST(ParseBaseUrl, RejectsWhatCannotBeABaseUrlWithAClearMessage) {
  const struct {
    const char* input;
    const char* reason;
  } cases[] = {
      {"", "not an absolute URL"},
      {"insights.twilio.com", "not an absolute URL"},
      {"ftp://insights.twilio.com", "https or http"},
      {"https://AC123:token@insights.twilio.com", "user information"},
      {"https://", "no host"},
      {"https://host:0", "invalid port"},
      {"https://host:", "invalid port"},
      {"https://host/v1", "path"},
      {"https://host/?x=1", "query"},
      {"https://host#top", "fragment"},
      {"https://ho st", "not an absolute URL"},
  };
  for (const auto& c : cases) {
    try {
      parse_base_url(c.input);
      ADD_FAILURE() << "accepted: " << c.input;
    } catch (const BadBaseUrl& error) {
      EXPECT_NE(std::string(error.what()).find(c.reason), std::string::npos)
          << c.input << " → " << error.what();
      EXPECT_NE(std::string(error.what()).find(std::string("\"") + c.input + "\""),
                std::string::npos)
          << "the message quotes the input: " << error.what();
    }
  }
}

TEST(SameOriginTarget, ReturnsTheTargetOnlyForTheConfiguredOrigin) {
  const BaseUrl base = parse_base_url("https://insights.twilio.com");
  const std::string next = "/v1/Voice/Summaries?PageSize=1000&Page=1&PageToken=PT%2Fab";
  const struct {
    std::string url;
    std::optional<std::string> target;
  } cases[] = {
      {"https://insights.twilio.com" + next, next},            // same origin
      {"https://insights.twilio.com:443" + next, next},        // default port spelled out
      {"https://INSIGHTS.Twilio.COM" + next, next},            // host case
      {"HTTPS://insights.twilio.com" + next, next},            // scheme case
      {"https://insights.twilio.com" + next + "#frag", next},  // fragment dropped
      {"https://insights.twilio.com", "/"},                    // empty path
      {"https://evil.example" + next, std::nullopt},           // other host
      {"https://insights.twilio.com.evil.example" + next, std::nullopt},  // suffix trick
      {"https://insights.twilio.com:8443" + next, std::nullopt},          // other port
      {"http://insights.twilio.com" + next, std::nullopt},                // other scheme
      {"http://insights.twilio.com:443" + next, std::nullopt},            // other scheme, same port
      {"https://user@insights.twilio.com" + next, std::nullopt},          // userinfo
      {"https://insights.twilio.com@evil.example" + next, std::nullopt},  // userinfo trick
      {"/v1/Voice/Summaries", std::nullopt},                              // relative
      {"not a url", std::nullopt},                                        // garbage
      {"", std::nullopt},                                                 // empty
      {"javascript:alert(1)", std::nullopt},                              // other scheme, no host
  };
  for (const auto& c : cases) {
    EXPECT_EQ(same_origin_target(base, c.url), c.target) << c.url;
  }
}

TEST(SameOriginTarget, NormalisesDefaultPortsBothWays) {
  const BaseUrl spelled = parse_base_url("https://api.example:443");
  EXPECT_EQ(same_origin_target(spelled, "https://api.example/x"), "/x");
  const BaseUrl plain = parse_base_url("http://127.0.0.1:8080");
  EXPECT_EQ(same_origin_target(plain, "http://127.0.0.1:8080/x?y=%20"), "/x?y=%20");
  EXPECT_EQ(same_origin_target(plain, "http://127.0.0.1/x"), std::nullopt);
}

}  // namespace
}  // namespace insights
