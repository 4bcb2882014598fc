#include "sim/twilio_error.hpp"

#include "sim/json_text.hpp"

namespace insights::sim {

std::string twilio_error_body(const TwilioError& error) {
  std::string body = "{\"code\":" + std::to_string(error.code) + ",\"message\":";
  append_json_string(body, error.message);
  body += ",\"more_info\":\"https://www.twilio.com/docs/errors/" + std::to_string(error.code) +
          "\",\"status\":" + std::to_string(error.status) + "}";
  return body;
}

}  // namespace insights::sim
