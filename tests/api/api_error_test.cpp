#include "api/api_error.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

std::string body(int code, int status) {
  return "{\"code\": " + std::to_string(code) + ", \"message\": \"m" + std::to_string(code) +
         "\", \"more_info\": \"https://www.twilio.com/docs/errors/" + std::to_string(code) +
         "\", \"status\": " + std::to_string(status) + "}";
}

struct Case {
  ApiEndpoint endpoint;
  int status;
  std::string body;
  ErrorKind kind;
  bool pushback, restarts_pass, not_complete;
};

TEST(ApiError, DecisionTable) {
  const ApiEndpoint list = ApiEndpoint::list, single = ApiEndpoint::single_summary;
  const Case cases[] = {
      {list, 429, body(20429, 429), ErrorKind::retry, true, false, false},
      {list, 429, "", ErrorKind::retry, true, false, false},
      {list, 500, body(20500, 500), ErrorKind::retry, true, false, false},
      {list, 503, "<html>busy</html>", ErrorKind::retry, true, false, false},
      {list, 408, "", ErrorKind::retry, true, false, false},
      {list, 400, body(21481, 400), ErrorKind::retry, false, true, false},
      {list, 401, body(20003, 401), ErrorKind::stop_source, false, false, false},
      {list, 403, body(17000, 403), ErrorKind::stop_source, false, false, false},
      {list, 400, body(20001, 400), ErrorKind::stop_source, false, false, false},
      {list, 404, body(20404, 404), ErrorKind::stop_source, false, false, false},
      {single, 404, body(17001, 404), ErrorKind::retry, false, false, true},
      {single, 404, body(17002, 404), ErrorKind::park, false, false, false},
      {single, 404, body(17007, 404), ErrorKind::park, false, false, false},
      {single, 404, body(20404, 404), ErrorKind::park, false, false, false},
      {single, 401, body(20003, 401), ErrorKind::stop_source, false, false, false},
      {list, 418, "", ErrorKind::park, false, false, false},
  };
  for (const auto& c : cases) {
    const ApiError error = api_error_from_response(c.endpoint, c.status, c.body, "ctx");
    SCOPED_TRACE(error.what());
    EXPECT_EQ(error.kind(), c.kind);
    EXPECT_EQ(error.facts().pushback, c.pushback);
    EXPECT_EQ(error.facts().restarts_pass, c.restarts_pass);
    EXPECT_EQ(error.not_complete_yet(), c.not_complete);
    EXPECT_EQ(error.status(), c.status);
  }
}

TEST(ApiError, MessageNamesContextStatusCodeAndAdvice) {
  const ApiError error =
      api_error_from_response(ApiEndpoint::list, 401, body(20003, 401), "source main");
  const std::string message = error.what();
  EXPECT_NE(message.find("source main"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 401"), std::string::npos) << message;
  EXPECT_NE(message.find("20003"), std::string::npos) << message;
  EXPECT_NE(message.find("check the source's"), std::string::npos) << message;
}

TEST(ApiError, TolerantOfOtherErrorShapes) {
  EXPECT_FALSE(parse_twilio_error_body("not json").code);
  EXPECT_FALSE(parse_twilio_error_body("[1,2]").code);
  EXPECT_FALSE(parse_twilio_error_body("{\"code\": \"20003\"}").code);
  EXPECT_EQ(parse_twilio_error_body("{\"errors\": [{\"code\": 20429}]}").code, std::nullopt);
  EXPECT_EQ(parse_twilio_error_body(body(20003, 401)).code, 20003);
}

TEST(ApiError, RetryAfterSeconds) {
  EXPECT_EQ(parse_retry_after("3"), std::chrono::seconds(3));
  EXPECT_EQ(parse_retry_after("0"), std::chrono::seconds(0));
  EXPECT_EQ(parse_retry_after("999999"), std::chrono::seconds(3600)) << "capped";
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"));
}

}  // namespace
}  // namespace insights
