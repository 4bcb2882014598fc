#pragma once
// The Call Summaries API's documented filter values and SID shapes, shared by the daemon's
// config validation and insights-sim's query validation so both accept the same words.

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace insights {

// Twilio keeps call data for 30 days: older calls are not served, and never complete.
inline constexpr auto kTwilioRetention = std::chrono::days(30);

inline constexpr std::array<std::string_view, 5> kCallTypes = {"carrier", "sip", "trunking",
                                                               "client", "whatsapp"};
inline constexpr std::array<std::string_view, 8> kCallStates = {
    "ringing", "completed", "busy", "fail", "noanswer", "canceled", "answered", "undialed"};
inline constexpr std::array<std::string_view, 5> kDirections = {
    "outbound_api", "outbound_dial", "inbound", "trunking_originating", "trunking_terminating"};
inline constexpr std::array<std::string_view, 7> kAnsweredByValues = {"unknown",
                                                                      "machine_start",
                                                                      "machine_end_beep",
                                                                      "machine_end_silence",
                                                                      "machine_end_other",
                                                                      "human",
                                                                      "fax"};

inline bool is_one_of(std::span<const std::string_view> allowed, std::string_view value) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

// "carrier, sip, trunking, …" for messages.
inline std::string list_of(std::span<const std::string_view> allowed) {
  std::string text;
  for (const auto option : allowed) {
    if (!text.empty())
      text += ", ";
    text += option;
  }
  return text;
}

// A Twilio SID: the two-letter prefix ("AC" account, "SK" API key, "CA" call) and 32 hex digits.
inline bool is_twilio_sid(std::string_view value, std::string_view prefix) {
  return value.size() == 34 && value.starts_with(prefix) &&
         std::all_of(value.begin() + 2, value.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace insights
