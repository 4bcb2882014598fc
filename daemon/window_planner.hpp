#pragma once
// Pure scheduling decisions (no clock, no I/O; docs/architecture.md, invariant 6): which windows
// the live tail adds, and what happens to a window after a pass. Unit-tested in
// tests/daemon/window_planner_test.
//
// A window's life (docs/design.md, "How the sync works"): read once (pending → open), re-read while
// a call in it can still start, end, or complete (until settle_after past its end: once, at that
// horizon, on the economical schedule; often on the fresh one), then settled by the first pass that
// began after that and found no partial rows. Partial rows left after the horizon are stragglers:
// fetched one by one when that costs fewer requests than a re-read, and marked as never completing
// when Twilio's 30-day retention runs out first.

#include <chrono>
#include <optional>
#include <vector>

#include "core/sync_options.hpp"
#include "core/time_window.hpp"
#include "core/twilio_vocabulary.hpp"

namespace insights {

inline constexpr int kRowsPerPage = 1000;

// The windows to add so the live tail reaches the window that contains `now`: from
// `latest_end` (the newest existing live window's end) or, on first start, from
// `now - initial_lookback_hours` rounded down to a window boundary.
std::vector<TimeWindow> live_windows_to_add(std::optional<UtcSeconds> latest_end, UtcSeconds now,
                                            const SyncOptions& options);

// When the live tail first reads a window it adds at `now`: at once (fresh), or once its calls
// have ended and most summaries completed (economical: first_read_after_minutes past its end).
UtcSeconds first_read_due(const TimeWindow& window, UtcSeconds now, const SyncOptions& options);

// A partial row is overdue (`status`) when its call ended longer ago than this: by then the
// schedule has read its window after the summary was due to complete (fresh: the completion
// delay; live: that plus an edge poll and a completion read, 5 minutes for them to run;
// economical: the settle horizon of the window it started in, at the latest).
std::chrono::minutes overdue_partial_after(const SyncOptions& options);

// The most the live tail's lag (bi.sync_health's lag, insights_source_lag_seconds: how long ago
// every live window was read up to) reaches on this schedule, with 5 minutes for a pass to run:
// economical and live (whose windows are read alike), a window and the wait for its first read;
// fresh, one poll interval. (live's edge poll is fresher: insights_source_newest_call_age_seconds.)
std::chrono::seconds promised_lag(const SyncOptions& options);

// The window boundary at or before `time` (windows align to multiples of window_minutes).
UtcSeconds window_floor(UtcSeconds time, const SyncOptions& options);

struct PassSummary {
  TimeWindow window;
  UtcSeconds pass_started{};  // when the pass's first page was requested
  UtcSeconds now{};           // when the pass ended
  int rows = 0;               // distinct rows the pass read
  int partial_rows = 0;       // of those, still partial
  // The earliest end_time of the partial rows this process saw in the pass (unknown for
  // pages committed before a restart): Twilio completes them completion_delay later.
  std::optional<UtcSeconds> earliest_partial_end;
  bool annotation_pass = false;  // the window had settled; this was its late re-read
};

enum class AfterPass {
  keep_open,         // read it again at next_due
  settle,            // nothing in it can change any more
  fetch_stragglers,  // fetch the partial rows one by one, then settle if all completed
  expire_partials,   // retention ends before they can complete: mark them, settle
};

struct PassDecision {
  AfterPass action = AfterPass::keep_open;
  // keep_open (and stragglers that stay partial): the next pass. settle: the annotation pass.
  UtcSeconds next_due{};
  bool annotation_pass_done = false;  // settle: no further pass at all
};

PassDecision decide_after_pass(const PassSummary& pass, const SyncOptions& options);

// Splitting a busy window (backfill): its first page (more follow) holds `rows` calls whose start
// times run from `earliest` to `latest` (clamped to the window). The estimate trusts what the
// page showed, not the PageSize asked for: the calls' rate is the rows - 1 gaps over that span,
// the window's pages are its estimated calls over `rows` a page (a server may answer fewer items
// than asked), and one row says nothing about a rate, so it never splits. When the window then
// holds an estimated more than options.split_above_pages pages, the pieces (whole minutes, each
// expected to hold at most that many pages, at least two) that replace it so they are read in
// parallel; empty when it should stay whole.
std::vector<TimeWindow> split_busy_window(const TimeWindow& window, UtcSeconds earliest,
                                          UtcSeconds latest, long long rows,
                                          const SyncOptions& options);

// The first annotation pass of a settled window due after `after` (a pass that began then saw
// every edit made before it), or none left. The passes: annotation_pass_after_hours past the
// settle horizon, then a day apart until annotation_daily_passes were made, then every
// annotation_pass_interval_days; a pass that would fall within an hour of the end of Twilio's
// retention (the window's start plus 30 days) is made an hour before it instead, and is the last.
// With the defaults a window is read 7 times over its 30 days: an edit in the first three days
// after the horizon lands within a day, a later one within 7 days; an edit in the window's last
// hour of retention is not read.
std::optional<UtcSeconds> next_annotation_pass(const TimeWindow& window, UtcSeconds after,
                                               const SyncOptions& options);

// The time a window stops changing: its end plus settle_after.
UtcSeconds settle_horizon(const TimeWindow& window, const SyncOptions& options);

// "Never due": a far-future time rather than Postgres' 'infinity', so every reader of
// next_due_at (extract(epoch ...)::bigint) keeps working.
inline constexpr UtcSeconds kNeverDue = std::chrono::sys_days(std::chrono::year(9999) / 12 / 31);

// When a window parked at `now` is tried again: parked_retry_seconds later, or never (0).
UtcSeconds parked_retry_due(UtcSeconds now, const SyncOptions& options);

}  // namespace insights
