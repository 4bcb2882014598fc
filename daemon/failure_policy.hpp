#pragma once
// What to do after an attempt at a window failed: a pure function of the failure, the
// failures counted so far, the run mode and the options (no clock, no I/O: the caller passes
// "now" and the jitter), beside window_planner's decisions after a pass. SourceSync records
// the decision in the work queue, logs it and waits.
//
//   stop_source / stop_process   stop the source (the window stays due now)
//   park, or bad input           park until parked_retry_seconds later (never: kNeverDue)
//     park_after_attempts times
//   `once`, once_attempts        give the window up (due now, for the next run); 429s do not
//     failures                   count
//   anything else                retry after exponential backoff with full jitter (Retry-After
//                                a floor); a pushback lowers the source's concurrency, a
//                                refused page token restarts the window's pass

#include <chrono>
#include <string>

#include "core/backoff.hpp"
#include "core/error.hpp"
#include "core/sync_options.hpp"
#include "core/utc_time.hpp"
#include "daemon/run_mode.hpp"

namespace insights {

// A failed attempt, copied out of its exception (co_await is not allowed in a catch block).
struct Failure {
  ErrorKind kind = ErrorKind::retry;
  std::string message;
  FailureFacts facts;

  static Failure of(const SyncError& error) {
    return Failure{.kind = error.kind(), .message = error.what(), .facts = error.facts()};
  }
  // 429: the account's concurrency cap, not a fault of the window.
  bool rate_limited() const { return facts.http_status == 429; }
};

// Failed attempts at one window, counted while this process works on it.
struct FailureCounts {
  int in_a_row = 0;   // every failure: drives the backoff
  int give_up = 0;    // the same without 429s: when `once` gives the window up
  int bad_input = 0;  // failures of bad input (a page that does not parse): parking
};

// The counts with `failure` added. (Network errors and 5xx between two unparsable pages do not
// make the page parse, so they leave bad_input alone.)
FailureCounts counted(FailureCounts counts, const Failure& failure);

enum class FailureAction {
  retry,        // note the error, wait `delay`, try again in this process
  park,         // record the error, park the window until `due`
  give_up,      // `sync --once`: record the error, the window stays due (`due`) for the next run
  stop_source,  // record the error (the window stays due, `due`); the source stops
};

struct FailureDecision {
  FailureAction action = FailureAction::retry;
  UtcSeconds due{};  // park, give_up, stop_source: the window's next due time
  // retry:
  std::chrono::milliseconds delay{0};  // before the next attempt
  UtcSeconds lease_until{};            // the lease must outlast the wait and the next attempt
  bool lower_concurrency = false;      // the API pushed back
  bool restart_pass = false;           // the page token was refused: read from page one
};

// `counts` already include `failure` (counted()). `jitter` is uniform in [0, 1).
FailureDecision decide_after_failure(const Failure& failure, FailureCounts counts, RunMode mode,
                                     const SyncOptions& options, const BackoffPolicy& backoff,
                                     double jitter, UtcSeconds now);

}  // namespace insights
