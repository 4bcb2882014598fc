// What check-config --connect says about each answer a source's API can give (the table in
// daemon/source_probe.hpp). The requests themselves: tests/daemon/check_config_test.cpp.
#include "daemon/source_probe.hpp"

#include <gtest/gtest.h>

#include "tests/support/sim_credentials.hpp"

namespace insights {
namespace {

constexpr const char* kAccount = testing::kSimAccount;

SourceProbe verdict_for_response(int status, const std::string& body) {
  return probe_verdict(api_error_from_response(ApiEndpoint::list, status, body, "first list page"),
                       kAccount);
}

bool starts_with(const SourceProbe& probe, const std::string& text) {
  return probe.verdict.starts_with(text);
}

TEST(SourceProbe, EveryRefusalIsNamedAndUnusable) {
  struct Case {
    int status;
    std::string body;
    std::string verdict;
  };
  const Case cases[] = {
      {401, R"({"code": 20003, "message": "Authenticate", "status": 401})",
       "credentials refused (first list page: HTTP 401, Twilio error 20003 (Authenticate); "
       "check the source's account SID / API key and secret)"},
      {401, "", "credentials refused"},
      {400, R"({"code": 20003, "message": "Authenticate"})", "credentials refused"},
      {403, R"({"code": 17000, "message": "Voice Insights Advanced Features must be enabled"})",
       std::string("Voice Insights Advanced Features are not enabled for account ") + kAccount},
      {403, "", "Voice Insights Advanced Features are not enabled"},
      {400, R"({"code": 17000})", "Voice Insights Advanced Features are not enabled"},
      {400, R"({"code": 20001, "message": "Invalid CallType"})",
       "the API refused the list request: check account_sid and the filters"},
      {404, "", "the API refused the list request"},
      {503, "", "the API is busy or failing, so the credentials could not be checked"},
      {429, "", "the API is busy or failing"},
      {418, "", "the API answered with an error (first list page: HTTP 418)"},
  };
  for (const auto& c : cases) {
    const SourceProbe probe = verdict_for_response(c.status, c.body);
    EXPECT_FALSE(probe.usable) << c.status;
    EXPECT_TRUE(starts_with(probe, c.verdict)) << c.status << " " << c.body << "\n"
                                               << probe.verdict;
  }
}

TEST(SourceProbe, WireFailures) {
  const SourceProbe certificate = probe_verdict(HttpTransportError(
      TransportFailure::certificate,
      "127.0.0.1:8443: TLS handshake failed: certificate verify failed: unable to get local "
      "issuer certificate"));
  EXPECT_FALSE(certificate.usable);
  EXPECT_TRUE(starts_with(certificate, "the server's certificate does not verify"))
      << certificate.verdict;
  EXPECT_NE(certificate.verdict.find("unable to get local issuer certificate"), std::string::npos);
  for (const auto failure : {TransportFailure::resolve, TransportFailure::connect,
                             TransportFailure::timeout, TransportFailure::reset}) {
    const SourceProbe probe =
        probe_verdict(HttpTransportError(failure, "127.0.0.1:1: connect failed: refused"));
    EXPECT_FALSE(probe.usable);
    EXPECT_EQ(probe.verdict, "the API cannot be reached: 127.0.0.1:1: connect failed: refused");
  }
}

}  // namespace
}  // namespace insights
