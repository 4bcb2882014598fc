#pragma once
// One simulated call: the facts insights-sim draws from its seed, from which the summary JSON
// is rendered at any moment of the sim clock. Kept compact (a month of calls lives in memory);
// everything not needed to filter or to schedule is redrawn from `shape_seed` when rendering.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/twilio_vocabulary.hpp"

namespace insights::sim {

using SimTime = std::chrono::sys_seconds;  // sim-clock instants, UTC, second precision

// Twilio keeps 30 days of call data: older calls are not served, by the list or by the truth.
inline constexpr auto kRetention = kTwilioRetention;

struct SimCall {
  std::string call_sid;     // "CA" + 32 hex digits; encodes its generation hour (see CallStore)
  std::string account_sid;  // the parent account or one of its subaccounts
  std::string call_type;    // carrier | sip | trunking | client | whatsapp
  std::string call_state;   // completed | busy | fail | noanswer | canceled | answered | ...
  std::string direction;    // inbound | outbound_api | outbound_dial | trunking_originating | ...
  std::optional<std::string> answered_by;  // AMD result; absent for most calls
  std::string from_caller;                 // E.164, "client:name" or "sip:..." as Twilio sends it
  std::string to_callee;
  std::optional<std::string> from_carrier, to_carrier;
  std::optional<std::string> from_country_code, to_country_code;
  bool verified_caller = false;
  bool branded_enabled = false;
  int last_sip_response = 200;             // AbnormalSession=true ⇔ != 200
  std::vector<std::string> complete_tags;  // tags once complete; empty → JSON null
  SimTime created_time, start_time, end_time;
  int duration = 0;          // seconds, start → end
  int connect_duration = 0;  // seconds, answer → end
  SimTime partial_at;        // first visible in the API, as partial (minutes after end)
  SimTime complete_at;       // becomes complete (about 30 minutes after end)
  std::vector<SimTime> annotation_edits;  // after complete_at: the annotation changes
  std::uint64_t shape_seed = 0;           // drives everything else the renderer draws
};

enum class Visibility { hidden, partial, complete };

// What the API shows of a call at `now`.
struct CallSnapshot {
  Visibility visibility = Visibility::hidden;
  int annotation_version = 0;  // how many annotation edits have happened by `now`
};

CallSnapshot snapshot_at(const SimCall& call, SimTime now);

inline bool abnormal_session(const SimCall& call) {
  return call.last_sip_response != 200;
}

}  // namespace insights::sim
