#include "daemon/failure_policy.hpp"

#include "daemon/window_planner.hpp"

namespace insights {

FailureCounts counted(FailureCounts counts, const Failure& failure) {
  ++counts.in_a_row;
  if (!failure.rate_limited())
    ++counts.give_up;
  if (failure.facts.bad_input)
    ++counts.bad_input;
  return counts;
}

FailureDecision decide_after_failure(const Failure& failure, FailureCounts counts, RunMode mode,
                                     const SyncOptions& options, const BackoffPolicy& backoff,
                                     double jitter, UtcSeconds now) {
  if (stops_source(failure.kind))
    return {.action = FailureAction::stop_source, .due = now};
  if (failure.kind == ErrorKind::park ||
      (failure.facts.bad_input && counts.bad_input >= options.park_after_attempts)) {
    // A parked window comes back by itself after parked_retry_seconds (the API may mend).
    return {.action = FailureAction::park, .due = parked_retry_due(now, options)};
  }
  if (mode == RunMode::once && counts.give_up >= options.once_attempts)
    return {.action = FailureAction::give_up, .due = now};
  const auto delay = backoff_delay(backoff, counts.in_a_row - 1, jitter, failure.facts.retry_after);
  return {.action = FailureAction::retry,
          .delay = delay,
          .lease_until = now + std::chrono::seconds(options.lease_seconds) +
                         std::chrono::duration_cast<std::chrono::seconds>(delay),
          .lower_concurrency = failure.facts.pushback,
          .restart_pass = failure.facts.restarts_pass};
}

}  // namespace insights
