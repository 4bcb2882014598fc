#include "daemon/live_edge_plan.hpp"

#include <algorithm>

namespace insights {

TimeWindow edge_poll_range(UtcSeconds now, const SyncOptions& options) {
  return {now - std::chrono::minutes(options.settle_after_minutes), now + std::chrono::minutes(1)};
}

CompletionReads plan_completion_reads(std::vector<PartialSighting> completed,
                                      const SyncOptions& options) {
  CompletionReads reads;
  std::sort(completed.begin(), completed.end(),
            [](const PartialSighting& a, const PartialSighting& b) { return a.start < b.start; });
  const std::chrono::minutes widest(options.window_minutes);
  std::optional<TimeWindow> range;
  for (const auto& call : completed) {
    if (call.end - call.start > kLongCall) {
      reads.one_by_one.push_back(call.call_sid);
      continue;
    }
    // The API's EndTime bound is exclusive: a second past the last end keeps that call in.
    const UtcSeconds end = call.end + std::chrono::seconds(1);
    if (range && std::max(range->end, end) - range->start <= widest) {
      range->end = std::max(range->end, end);
      continue;
    }
    if (range)
      reads.ranges.push_back(*range);
    range = TimeWindow{call.start, end};
  }
  if (range)
    reads.ranges.push_back(*range);
  return reads;
}

}  // namespace insights
