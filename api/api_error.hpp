#pragma once
// What an unsuccessful API response means for the sync (docs/development.md, "Errors"): one table
// from HTTP status and Twilio error code to retry / park / stop the source, plus the facts the
// scheduler needs.
//
//   429 / 20429, 5xx, 408         retry, back off (honour Retry-After), shrink concurrency
//   400 / 21481 (bad PageToken)   retry the window from its first page
//   401 / 20003, 403 / 17000      stop the source: credentials or Advanced Features
//   400 other, 404 on the list    stop the source: its filters or account are wrong
//   404 / 17001 (single fetch)    not complete yet: an expected outcome, retry later
//   17002, 17007                  park: Twilio will never have this summary
//   other 4xx                     park

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace insights {

// Twilio's error body ({code, message, more_info, status}); fields absent in other shapes.
struct TwilioErrorBody {
  std::optional<int> code;
  std::string message;
};

// Reads a Twilio error body; tolerant of other shapes and of non-JSON (gives an empty body).
TwilioErrorBody parse_twilio_error_body(std::string_view body);

// The facts (core/error.hpp) say what the scheduler needs: the status and Twilio code,
// pushback (429, 5xx, 408: back off and lower the source's concurrency), restarts_pass (21481:
// the PageToken was refused, read the window again from its first page) and the server's
// Retry-After (a floor for the backoff delay).
class ApiError : public SyncError {
 public:
  ApiError(ErrorKind kind, const std::string& message, int status, std::optional<int> code,
           std::optional<std::chrono::seconds> retry_after = std::nullopt);
  int status() const { return *facts().http_status; }
  std::optional<int> twilio_code() const { return code_; }
  // The single-summary endpoint has no completed summary yet (17001).
  bool not_complete_yet() const { return code_ == 17001; }
  std::optional<std::chrono::seconds> retry_after() const { return facts().retry_after; }

 private:
  std::optional<int> code_;
};

enum class ApiEndpoint { list, single_summary };

// The decision for a response with a status outside 2xx. `context` names what was being
// fetched (e.g. "source main, window 2026-11-01T00:00Z..01:00Z"); the message never includes
// credentials.
ApiError api_error_from_response(ApiEndpoint endpoint, int status, std::string_view body,
                                 const std::string& context,
                                 std::optional<std::chrono::seconds> retry_after = std::nullopt);

// Retry-After in seconds (the API may send it on 429); HTTP-date forms are ignored.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view header);

}  // namespace insights
