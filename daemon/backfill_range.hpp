#pragma once
// The time range of `insights-sync backfill --from TIME --to TIME`, checked and cut to what
// Twilio can still serve. Pure (the caller passes "now"); unit-tested in
// tests/daemon/backfill_range_test.
//
// TIME is an ISO-8601 instant (`2026-11-01T00:00:00Z`, offsets allowed), a UTC date
// (`2026-11-01`, its midnight), `now`, or an age: a whole number and a unit, s m h d w
// (`7d` = seven days ago, `0m` = now).

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/sync_options.hpp"
#include "core/time_window.hpp"

namespace insights {

// A bad --from/--to: the message names the flag and what was wrong.
class BackfillRangeError : public SyncError {
 public:
  explicit BackfillRangeError(const std::string& message)
      : SyncError(ErrorKind::stop_process, message, {}, kExitUsage) {}
};

// The instant TIME stands for; throws BackfillRangeError naming `flag`.
UtcSeconds parse_backfill_time(std::string_view text, std::string_view flag, UtcSeconds now);

struct BackfillRange {
  TimeWindow range;                   // aligned outward to window boundaries
  std::vector<std::string> warnings;  // what was cut, for the user
};

// Checks from < to, clamps the start to Twilio's 30-day retention and the end to now (with a
// warning each), and aligns the result to whole windows. Throws BackfillRangeError for an
// empty or reversed range, or one entirely beyond retention.
BackfillRange resolve_backfill_range(UtcSeconds from, UtcSeconds to, UtcSeconds now,
                                     const SyncOptions& options);

}  // namespace insights
