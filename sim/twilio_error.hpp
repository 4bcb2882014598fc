#pragma once
// Twilio's REST error: HTTP status plus `{"code", "message", "more_info", "status"}`.

#include <string>

namespace insights::sim {

struct TwilioError {
  int status = 400;  // HTTP status
  int code = 20001;  // Twilio error code
  std::string message;
};

// The JSON body Twilio sends for `error`.
std::string twilio_error_body(const TwilioError& error);

}  // namespace insights::sim
