#include "api/api_error.hpp"

#include <rapidjson/document.h>

#include <charconv>

namespace insights {
namespace {

ErrorKind kind_for(ApiEndpoint endpoint, int status, std::optional<int> code) {
  if (status == 429 || status == 408 || status >= 500)
    return ErrorKind::retry;
  if (code == 21481 || code == 17001)
    return ErrorKind::retry;
  if (code == 17002 || code == 17007)
    return ErrorKind::park;
  if (status == 401 || status == 403 || code == 20003 || code == 17000)
    return ErrorKind::stop_source;
  if (endpoint == ApiEndpoint::list && (status == 400 || status == 404))
    return ErrorKind::stop_source;
  return ErrorKind::park;
}

std::string advice_for(int status, std::optional<int> code) {
  if (status == 401 || code == 20003) {
    return "; check the source's account SID / API key and secret";
  }
  if (code == 17000) {
    return "; Voice Insights Advanced Features must be enabled on the account";
  }
  if (status == 429)
    return "; backing off";
  return "";
}

}  // namespace

TwilioErrorBody parse_twilio_error_body(std::string_view body) {
  TwilioErrorBody parsed;
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject())
    return parsed;
  if (const auto code = document.FindMember("code");
      code != document.MemberEnd() && code->value.IsInt()) {
    parsed.code = code->value.GetInt();
  }
  if (const auto message = document.FindMember("message");
      message != document.MemberEnd() && message->value.IsString()) {
    parsed.message = message->value.GetString();
  }
  return parsed;
}

ApiError::ApiError(ErrorKind kind, const std::string& message, int status, std::optional<int> code,
                   std::optional<std::chrono::seconds> retry_after)
    : SyncError(kind, message,
                FailureFacts{.http_status = status,
                             .twilio_code = code.value_or(0),
                             .pushback = status == 429 || status >= 500 || status == 408,
                             .retry_after = retry_after,
                             .restarts_pass = code == 21481},
                kExitSourceRefused),
      code_(code) {}

ApiError api_error_from_response(ApiEndpoint endpoint, int status, std::string_view body,
                                 const std::string& context,
                                 std::optional<std::chrono::seconds> retry_after) {
  const TwilioErrorBody error = parse_twilio_error_body(body);
  std::string message = context + ": HTTP " + std::to_string(status);
  if (error.code)
    message += ", Twilio error " + std::to_string(*error.code);
  if (!error.message.empty())
    message += " (" + error.message + ")";
  message += advice_for(status, error.code);
  return ApiError(kind_for(endpoint, status, error.code), message, status, error.code, retry_after);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view header) {
  long long seconds = 0;
  const auto [end, failure] =
      std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (failure != std::errc() || end != header.data() + header.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(std::min<long long>(seconds, 3600));
}

}  // namespace insights
