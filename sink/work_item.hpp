#pragma once
// A work item (one time window of one source) as the scheduler and the work queue exchange it:
// what is stored in `work_items`, typed. Plain values: no database or event-loop types, so the
// scheduler, the PostgreSQL queue and the in-memory queue of the tests share them.
// The states and their legal transitions: sink/work_item_states.hpp.

#include <optional>
#include <set>
#include <string>

#include "core/time_window.hpp"
#include "core/utc_time.hpp"

namespace insights {

// The live tail's windows, or windows a backfill asked for.
enum class WorkKind { live, backfill };

// See sink/work_item_states.hpp for what moves a window between these.
enum class WorkState {
  pending,  // planned, no pass finished yet
  open,     // read at least once; partial rows may still complete
  settled,  // final (owes at most its annotation pass)
  parked,   // failed too often; tried again when due, or when a backfill asks
};

// A leased work item as committed in the queue.
struct WorkItem {
  long long id = 0;
  WorkKind kind = WorkKind::live;
  TimeWindow window;
  WorkState state = WorkState::pending;
  std::optional<std::string> cursor;  // the next page's URL; nullopt: the pass starts at page one
  int passes_completed = 0;
  int pass_rows = 0;          // rows committed so far in this pass (resumed passes)
  int pass_partial_rows = 0;  // of those, partial
  UtcSeconds pass_started_at{};
  // The last pass read every page but what it means was not recorded (the process died in
  // between): record it from the counters above, without reading the window again.
  bool pass_undecided = false;
};

// What the caller knew about a work item when it fetched a page for it. A page commits only if
// the work item still looks exactly like this (optimistic check under a row lock), so a page is
// applied at most once per cursor position even when a commit's outcome was lost or another
// instance took the item over.
struct WorkItemRef {
  long long id = 0;
  int pass = 0;                            // passes_completed at fetch time
  std::optional<std::string> cursor;       // the cursor; nullopt = first page
  std::optional<std::string> lease_owner;  // the lease the caller holds
};

struct ClaimRequest {
  std::string source;
  std::string owner;
  UtcSeconds now{};
  int lease_seconds = 60;
  int limit = 1;
  std::set<long long> exclude;       // items this instance is working on right now
  std::optional<WorkKind> kind;      // only this kind; nullopt: any
  std::optional<TimeWindow> within;  // only windows overlapping this range; nullopt: any
};

// How a failed attempt ends for its work item (the scheduler's failure policy decided).
struct FailedAttempt {
  std::string error;  // kept for `status`
  // true: the holder keeps the lease until `lease_until` and tries again; false: the lease is
  // released and the window is due again at `due`.
  bool retry = false;
  UtcSeconds lease_until{};
  bool restart_pass = false;  // (retry) the page cursor was refused: the pass starts over
  bool park = false;          // (no retry) the window becomes parked
  UtcSeconds due{};
  UtcSeconds now{};
};

// How a pass ended (the scheduler's window planner decided).
struct FinishedPass {
  bool settled = false;  // settled, else open
  UtcSeconds next_due{};
  bool annotation_pass_done = false;  // no more passes unless a backfill asks
  UtcSeconds now{};
};

// A stored partial row: its call and, as stored, its times.
struct PartialCall {
  std::string call_sid;
  std::optional<UtcSeconds> start_time, end_time;

  bool operator==(const PartialCall&) const = default;
};

}  // namespace insights
