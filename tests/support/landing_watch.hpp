#pragma once
// When the warehouse first showed each call, and first showed it complete, against when the
// sim's API first listed it (partial_at) and completed it (complete_at): the freshness a user
// sees, measured on the sim's clock (bench/freshness_day.cpp, tests/daemon/live_edge_sync_test).
//
// Around every step of a SteppedSync: before_step() notes the server's clock, after_step() reads
// back the rows the step changed and records the step's simulated time as their landing time.
#include <optional>
#include <pqxx/connection>
#include <string>
#include <unordered_map>

#include "core/utc_time.hpp"
#include "sim/call_store.hpp"

namespace insights::testing {

// A call Twilio listed, or completed, in the watched period: when the warehouse first showed
// it, and first showed it complete (sim time).
struct WatchedCall {
  const sim::SimCall* call = nullptr;
  bool listed_in_period = false, completed_in_period = false;
  std::optional<UtcSeconds> shown, complete;
};

class LandingWatch {
 public:
  // The calls `truth` (the sim's calls: the same options and seed) lists or completes in
  // [from, to).
  LandingWatch(sim::CallStore& truth, const sim::GeneratorOptions& data, UtcSeconds from,
               UtcSeconds to);

  void before_step(pqxx::connection& db);
  void after_step(pqxx::connection& db, UtcSeconds now);

  // Landings (a listing or a completion of the period) not seen yet.
  long long pending() const { return pending_; }
  const std::unordered_map<std::string, WatchedCall>& calls() const { return calls_; }

 private:
  std::unordered_map<std::string, WatchedCall> calls_;
  long long pending_ = 0;
  std::string step_began_;  // the server's clock_timestamp() before the step
};

}  // namespace insights::testing
