#pragma once
// The live schedule's edge poll: what makes a call show on the dashboard about a minute after
// Twilio lists it, and complete within minutes of Twilio completing it, for about one request a
// minute at 600 calls an hour (docs/design.md, "How the sync works").
//
// Every edge_poll_seconds it lists, with ProcessingState=partial, every call that can still be
// partial (daemon/live_edge_plan.hpp, edge_poll_range): a call Twilio lists is partial first,
// for some 20 minutes, so each new listing is in the next poll. The calls the previous poll
// listed and this one does not have completed; every completion_read_seconds they are read back
// with ProcessingState=completed (ranges for calls close in time, one by one for long calls).
//
// The edge only brings rows sooner: the windows (read as on the economical schedule) still bring
// every call, complete, whatever the edge missed (downtime, a failed poll, a completion read that
// did not find a call). So a failed poll is logged and the next one tried; nothing is retried in
// a loop and no work item is kept. Rows go through the same merge as the windows' pages (never
// a complete row replaced by a partial one; identical rows write nothing).
//
// State is in memory (the calls last seen partial): after a restart the first poll compares with
// the partial rows the warehouse holds in its range instead (up to kMaxRemembered), and reads
// back at once those no longer listed.
// Threading: on the source's executor, beside its windows; requests share their permits.

#include <boost/asio/awaitable.hpp>
#include <map>
#include <optional>
#include <string>

#include "api/summaries_api.hpp"
#include "core/adaptive_concurrency.hpp"
#include "core/clock.hpp"
#include "core/summary_filters.hpp"
#include "core/sync_options.hpp"
#include "daemon/live_edge_plan.hpp"
#include "daemon/request_permits.hpp"
#include "sink/work_queue.hpp"

namespace insights {

class SyncMetrics;

struct LiveEdgeSetup {
  std::string source;
  SummaryFilters filters;
  SyncOptions options;
  const Clock* clock = nullptr;
  SummariesApi* api = nullptr;
  WorkQueue* work_queue = nullptr;
  RequestPermits* permits = nullptr;           // the source's, shared with its windows
  AdaptiveConcurrency* concurrency = nullptr;  // the source's: pushback lowers it
  SyncMetrics* metrics = nullptr;              // nullptr: none
};

struct LiveEdgeTally {
  long long polls = 0;               // polls that listed the whole edge
  long long failed_steps = 0;        // polls or completion reads that failed (logged)
  long long completions_read = 0;    // calls read back complete after they left the listing
  long long completions_missed = 0;  // not found after kCompletionReadAttempts: left to windows
};

class LiveEdge {
 public:
  // After this many completion reads that did not find a call complete, the edge forgets it
  // (its window's horizon read brings it).
  static constexpr int kCompletionReadAttempts = 3;
  // After a restart, the warehouse's partial rows are compared with the first poll only when
  // they are at most this many (some 20 minutes of calls at 30,000 an hour; more: the windows
  // bring their completions).
  static constexpr int kMaxRemembered = 10000;

  explicit LiveEdge(LiveEdgeSetup setup);

  // What is due at the clock's now: a poll, then the completion reads. A failure is logged and
  // counted; the step ends and the next one tries again.
  boost::asio::awaitable<void> step();

  // When step() has something to do next.
  UtcSeconds next_due() const;

  // Ends the step in progress after its current request; no more steps.
  void stop() { stopping_ = true; }

  const LiveEdgeTally& tally() const { return tally_; }

  // An error that stops the whole source (credentials, permissions, the database refused), as
  // the windows' failure policy has it: the edge stops at once and its owner stops the source.
  const std::optional<SyncError>& fatal_error() const { return fatal_error_; }

 private:
  struct WaitingCompletion {
    PartialSighting call;
    UtcSeconds since{};  // when it left the partial listing
    int reads = 0;       // completion reads that did not find it
  };
  using Sightings = std::map<std::string, PartialSighting>;

  boost::asio::awaitable<void> poll(UtcSeconds now);
  boost::asio::awaitable<void> read_completions();
  // Calls stored partial before this process started, in the poll's range.
  boost::asio::awaitable<Sightings> remembered_partials(const TimeWindow& range);
  // Every page of `request`, each merged into the warehouse as it comes; `seen` gets each row.
  // False when stopped before the last page.
  template <typename OnRow>
  boost::asio::awaitable<bool> list_all(const WindowRequest& request, OnRow seen);
  void merged(const CommitResult& result);

  LiveEdgeSetup setup_;
  bool stopping_ = false;
  bool first_poll_ = true;
  UtcSeconds next_poll_{};
  Sightings partial_;                                 // listed partial by the last whole poll
  std::map<std::string, WaitingCompletion> waiting_;  // left the listing, not read back yet
  LiveEdgeTally tally_;
  std::optional<SyncError> fatal_error_;
};

}  // namespace insights
