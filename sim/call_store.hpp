#pragma once
// The sim's data set: calls generated deterministically from a seed, hour by hour, on demand.
//
// Hour h (hours since the Unix epoch) always yields the same calls for the same options, so
// a restarted sim serves the same data and tests can predict it. Only hours inside the
// retention window (the last 30 days of the sim clock) are ever served; the store generates
// an hour the first time a query touches it and keeps it.
//
// Threading: not thread-safe; the sim serves from one event-loop thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/sim_call.hpp"
#include "sim/sim_defaults.hpp"

namespace insights::sim {

struct GeneratorOptions {
  std::uint64_t seed = 1;
  int calls_per_hour = 120;  // per parent account, spread over all its (sub)accounts
  // Parent account SIDs ("AC" + 32 hex); each gets `subaccounts_per_account` subaccounts
  // whose SIDs derive from it.
  std::vector<std::string> accounts = {kDefaultAccount};
  int subaccounts_per_account = 1;
  // Lifecycle, in seconds after the call ends (each call draws within the range).
  int partial_delay_min = 60, partial_delay_max = 600;       // "within ten minutes"
  int complete_delay_min = 1500, complete_delay_max = 2100;  // "about 30 minutes"
  double long_call_fraction = 0.02;                          // calls lasting hours
  int longest_call_seconds = 4 * 3600;
  double annotation_edit_fraction = 0.05;  // complete calls whose annotation changes later
  // The latest an edit happens after complete_at: Twilio keeps a summary 30 days and accepts
  // edits while it does. A test that needs an old range to stay still lowers it. 1..696.
  int latest_annotation_edit_hours = 29 * 24;
};

class CallStore {
 public:
  explicit CallStore(GeneratorOptions options);
  ~CallStore();

  const GeneratorOptions& options() const { return options_; }

  // Every account SID calls are generated for (parents and subaccounts), sorted.
  std::vector<std::string> account_sids() const;

  // Calls with start_time in [from, to), sorted by (start_time, call_sid).
  std::vector<const SimCall*> calls_starting_in(SimTime from, SimTime to);

  // Calls with end_time in [from, to), sorted by (end_time, call_sid).
  std::vector<const SimCall*> calls_ending_in(SimTime from, SimTime to);

  // Whether `account_sid` is `parent_sid` itself or one of its subaccounts.
  bool owns(std::string_view parent_sid, std::string_view account_sid) const;

  // The call with this SID, or nullptr.
  const SimCall* find(std::string_view call_sid);

 private:
  const std::vector<SimCall>& hour(std::int64_t hour_index);

  GeneratorOptions options_;
  std::map<std::int64_t, std::vector<SimCall>> hours_;
};

}  // namespace insights::sim
