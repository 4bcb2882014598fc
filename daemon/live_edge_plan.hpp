#pragma once
// Pure decisions of the live schedule's edge poll (daemon/live_edge.hpp): which time range a
// poll lists, and how the calls that left the partial listing are read back complete. No clock,
// no I/O; unit-tested in tests/daemon/live_edge_plan_test.
//
// Both are correct whichever time field Twilio's StartTime/EndTime select on (the docs do not
// say; docs/design.md, "Time filters"): a poll's range reaches settle_after_minutes back, which
// holds the start and the end of every call that can still be partial (the longest call plus
// the time to complete it), and a completion read's range holds both the start and the end of
// every call it is for.

#include <string>
#include <vector>

#include "core/sync_options.hpp"
#include "core/time_window.hpp"

namespace insights {

// Calls that lasted longer than this are read back one by one (GET …/Summary): a range that
// holds one would hold every call of the hours it lasted.
inline constexpr std::chrono::minutes kLongCall{30};

// The range an edge poll at `now` lists: [now - settle_after_minutes, now + 1 minute] (the minute
// so that a call the API lists with an end a little after our clock is not cut off).
TimeWindow edge_poll_range(UtcSeconds now, const SyncOptions& options);

// A call the edge poll listed as partial.
struct PartialSighting {
  std::string call_sid;
  UtcSeconds start{};
  UtcSeconds end{};
};

struct CompletionReads {
  // Each a list request with ProcessingState=completed over [first start, last end + 1 s] of
  // the calls it is for.
  std::vector<TimeWindow> ranges;
  std::vector<std::string> one_by_one;  // call_sids of calls that lasted over kLongCall
};

// How to read back `completed` (calls the last poll no longer listed as partial): calls that
// lasted at most kLongCall, taken by start time, share a range while it spans at most
// window_minutes (one page at 600 calls an hour); longer calls one by one.
CompletionReads plan_completion_reads(std::vector<PartialSighting> completed,
                                      const SyncOptions& options);

}  // namespace insights
