#pragma once
// A source's request concurrency that backs off when the API pushes back and grows again when
// it does not (additive increase, multiplicative decrease), so a long run adapts to Twilio's
// per-account concurrency cap instead of dying of 429s. Pure bookkeeping, no clock.
// Threading: not thread-safe; one per source, used on the event loop.

namespace insights {

class AdaptiveConcurrency {
 public:
  // Starts at `maximum`; never goes below `minimum` (>= 1) or above `maximum`.
  AdaptiveConcurrency(int minimum, int maximum);

  int limit() const { return limit_; }

  // A 429 or 5xx: halve the limit (rounding down, not below minimum).
  void on_pushback();
  // A successful request: after `limit()` successes in a row, allow one more.
  void on_success();

 private:
  int minimum_;
  int maximum_;
  int limit_;
  int successes_ = 0;
};

}  // namespace insights
