#pragma once
// The sync of one source: plans the live tail's windows, leases due windows from the work
// queue, reads each window page by page (every page's rows and cursor commit together), and
// decides after each pass whether the window stays open, fetches stragglers, or settles. On the
// live schedule it also runs the edge poll (daemon/live_edge.hpp) beside the windows.
//
// Concurrency: API requests in flight are bounded by the source's adaptive concurrency limit
// (a pushback, 429/5xx, halves it; successes grow it back), shared by the live tail and
// backfills with the live tail first (daemon/request_permits.hpp). Windows are read by their
// own coroutines: up to `concurrency` live windows and 2 × `concurrency` backfill windows at
// once (more windows than requests, so one window's commit overlaps another's request). A
// backfill window whose first page shows it is busy is split (window_planner).
// Failures: each window handles its own, as daemon/failure_policy.hpp decides: retried with
// backoff, parked with its error text (claimed again parked_retry_seconds later), given up
// (`sync --once`), or the whole source stops with one clear message (credentials,
// permissions, TLS certificate, the database refused).
// Storage: only through the WorkQueue seam (sink/work_queue.hpp): PostgreSQL in the daemon, in
// memory in scheduler tests.
// Threading: all coroutines run on the executor passed to run().

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "api/summaries_api.hpp"
#include "core/adaptive_concurrency.hpp"
#include "core/backoff.hpp"
#include "core/clock.hpp"
#include "core/summary_filters.hpp"
#include "core/sync_options.hpp"
#include "daemon/failure_policy.hpp"
#include "daemon/live_edge.hpp"
#include "daemon/request_permits.hpp"
#include "daemon/run_mode.hpp"
#include "sink/work_queue.hpp"

namespace insights {

class SyncMetrics;

struct SourceSyncSetup {
  std::string source;       // the source's name
  std::string account_sid;  // recorded in `sources` before any work
  SummaryFilters filters;
  int concurrency = 4;  // windows (and requests) in flight at most
  SyncOptions options;
  std::string owner;  // this instance's name, written into leases
  const Clock* clock = nullptr;
  SummariesApi* api = nullptr;
  WorkQueue* work_queue = nullptr;
  BackoffPolicy backoff;
  // `backfill --run`: plan no live windows and claim only windows overlapping this range.
  std::optional<TimeWindow> only_within;
  SyncMetrics* metrics = nullptr;  // the daemon's; nullptr: none
};

struct SourceSyncReport {
  int passes_finished = 0;
  int windows_settled = 0;
  int windows_parked = 0;    // parked by this run
  int windows_given_up = 0;  // `sync --once`: still failing after once_attempts
  int windows_split = 0;     // busy backfill windows replaced by smaller ones
  int stragglers_fetched = 0;
  long long unknown_enum_values = 0;  // enum fields with values this version does not know
  long long rows_inserted = 0;
  long long rows_updated = 0;
  std::optional<std::string> fatal_error;  // the source stopped: why
  bool database_unavailable = false;       // ... because the database failed
};

class SourceSync {
 public:
  SourceSync(boost::asio::any_io_executor executor, SourceSyncSetup setup);

  boost::asio::awaitable<SourceSyncReport> run(RunMode mode);

  // Ends run(): no new windows are claimed, windows being read stop after their current page
  // (keeping their committed cursor) and release their leases. Call on the executor's thread.
  void stop();

  int windows_in_flight() const { return static_cast<int>(in_flight_.size()); }
  // The live schedule's edge poll (daemon/live_edge.hpp): when it next has something to do, and
  // what it did; none on the other schedules and for `backfill --run`.
  std::optional<UtcSeconds> next_edge_due() const;
  std::optional<LiveEdgeTally> edge_tally() const;
  int concurrency_limit() const { return concurrency_.limit(); }
  bool stopping() const { return stopping_; }

 private:
  enum class PassOutcome { finished, stopped, split };
  // What this process saw of a window's pass beyond what the queue stores: its log line's counts
  // and, for the planner, the earliest end of the partial rows it read.
  struct PassTally {
    int inserted = 0;
    int updated = 0;
    std::optional<UtcSeconds> earliest_partial_end;
  };

  boost::asio::awaitable<void> register_source();
  // Starts the edge poll beside the windows (once per run; `once`: one step).
  void start_edge(RunMode mode);
  boost::asio::awaitable<void> run_edge(RunMode mode);
  // The edge met an error that stops the source (as a window's would): stop it, say it once.
  void stop_for_edge_error(const SyncError& error);
  boost::asio::awaitable<void> plan_live_windows();
  boost::asio::awaitable<int> claim_and_start(RunMode mode);
  boost::asio::awaitable<int> claim_kind(RunMode mode, WorkKind kind, int limit);
  boost::asio::awaitable<void> work_on(WorkItem item, RunMode mode);
  boost::asio::awaitable<PassOutcome> read_pass(WorkItem& item, PassTally& tally);
  // A backfill window's first page: split the window when it is busy; true when it was.
  boost::asio::awaitable<bool> split_if_busy(const WorkItem& item, const Page& page);
  static RequestPriority priority_of(const WorkItem& item);
  boost::asio::awaitable<void> finish_pass(const WorkItem& item, const PassTally& tally);
  boost::asio::awaitable<void> release(const WorkItem& item);
  // Extends the lease; StaleWorkItemError when another instance has taken the window.
  boost::asio::awaitable<void> renew_lease(const WorkItem& item);
  void note_unknown_enum_values(const Page& page);
  static void note_partial_rows(const Page& page, PassTally& tally);
  boost::asio::awaitable<int> fetch_stragglers(const WorkItem& item);
  // Decides what a failed attempt means (daemon/failure_policy.hpp), records it in the queue
  // (a retry keeps the lease; any other outcome releases it), logs it, and waits before a
  // retry; true when the window should be tried again in this process.
  boost::asio::awaitable<bool> on_failure(const WorkItem& item, const Failure& failure,
                                          FailureCounts counts, RunMode mode);
  boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds delay);
  boost::asio::awaitable<void> wait_for_wake(std::chrono::milliseconds at_most);
  void wake();
  UtcSeconds lease_until() const;

  boost::asio::any_io_executor executor_;
  SourceSyncSetup setup_;
  AdaptiveConcurrency concurrency_;
  boost::asio::steady_timer wake_timer_;
  bool woken_ = false;
  bool stopping_ = false;
  RequestPermits permits_;
  std::set<long long> in_flight_;
  std::set<long long> live_in_flight_;             // the live windows among in_flight_
  std::set<boost::asio::steady_timer*> sleeping_;  // backoff waits, cancelled by stop()
  std::set<long long> done_this_run_;  // `once`: windows that got their pass (or gave up)
  std::optional<UtcSeconds> latest_live_end_;
  std::unique_ptr<LiveEdge> edge_;  // the live schedule's edge poll
  bool edge_running_ = false;
  bool registered_ = false;  // the source is in the `sources` table
  bool unknown_keys_logged_ = false;
  std::set<std::string> unknown_enum_values_logged_;  // "field=value"
  std::minstd_rand random_;
  SourceSyncReport report_;
};

}  // namespace insights
