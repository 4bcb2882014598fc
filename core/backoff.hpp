#pragma once
// How long to wait before retrying: exponential backoff with full jitter, never shorter than a
// server's Retry-After. A pure function of its inputs (docs/architecture.md, invariant 6): the
// caller supplies the random draw, so tests state exact expectations and the daemon's clock is not
// involved.

#include <chrono>
#include <optional>

namespace insights {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};    // ceiling of the first retry's delay
  std::chrono::milliseconds maximum{60000};  // no delay exceeds this (Retry-After aside)
  double multiplier = 2.0;                   // ceiling growth per attempt
};

// Delay before retry number `attempt` (0 = first retry): a uniform draw in
// [0, min(maximum, initial × multiplier^attempt)] scaled by `unit_random` ∈ [0, 1), then raised
// to `retry_after` when the server asked for longer.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt,
                                        double unit_random,
                                        std::optional<std::chrono::seconds> retry_after = {});

}  // namespace insights
