#include "tests/support/landing_watch.hpp"

#include <pqxx/pqxx>

namespace insights::testing {

LandingWatch::LandingWatch(sim::CallStore& truth, const sim::GeneratorOptions& data,
                           UtcSeconds from, UtcSeconds to) {
  // A call listed or completed in the period started at most the longest call (and an hour
  // for its summary) before it.
  const UtcSeconds earliest =
      from - std::chrono::seconds(data.longest_call_seconds) - std::chrono::hours(1);
  for (const sim::SimCall* call : truth.calls_starting_in(earliest, to)) {
    WatchedCall entry{call,
                      call->partial_at >= from && call->partial_at < to,
                      call->complete_at >= from && call->complete_at < to,
                      {},
                      {}};
    if (entry.listed_in_period || entry.completed_in_period) {
      pending_ += entry.listed_in_period + entry.completed_in_period;
      calls_.emplace(call->call_sid, entry);
    }
  }
}

void LandingWatch::before_step(pqxx::connection& db) {
  pqxx::work query(db);
  step_began_ = query.exec1("SELECT clock_timestamp()::text")[0].as<std::string>();
}

void LandingWatch::after_step(pqxx::connection& db, UtcSeconds now) {
  pqxx::work query(db);
  const pqxx::result rows = query.exec_params(
      "SELECT call_sid, processing_state = 'complete' FROM call_summaries"
      " WHERE last_changed_at >= $1::timestamptz",
      step_began_);
  for (const auto& row : rows) {
    const auto found = calls_.find(row[0].as<std::string>());
    if (found == calls_.end())
      continue;
    WatchedCall& call = found->second;
    if (!call.shown) {
      call.shown = now;
      pending_ -= call.listed_in_period;
    }
    if (!call.complete && row[1].as<bool>()) {
      call.complete = now;
      pending_ -= call.completed_in_period;
    }
  }
}

}  // namespace insights::testing
