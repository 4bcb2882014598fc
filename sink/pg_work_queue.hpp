#pragma once
// The work queue (sink/work_queue.hpp) in PostgreSQL: the one owner of the daemon's
// `work_items` connections and of the threads they run on, so blocking libpqxx calls never stall
// the event loop (docs/architecture.md, "Threads").
//
// - The queue thread runs every work item operation (claims, leases, finishing passes,
//   failures, splits) on one connection (WorkItemStore).
// - Page commits go to one of `commit_connections` lanes, each a PgSink (its own connection) on
//   its own thread: with two or more, PostgreSQL merges one page while the next one is being
//   copied, on another core. A commit takes the lane with the fewest commits waiting. Pages in
//   flight at once belong to different windows, so they touch different work items; two windows
//   over the same calls (a backfill of the live tail's range) merge in call_sid order and wait
//   for each other rather than deadlock (a deadlock would still only retry the page).
// A claim or a lease renewal therefore never queues behind a page's merge.
//
// Threading: every operation may be awaited from any executor; the awaiting coroutine resumes
// on its own executor. Errors: SyncError (DatabaseError, StaleWorkItemError) reach the awaiting
// coroutine.

#include <memory>

#include "sink/pg_sink_options.hpp"
#include "sink/work_item_store.hpp"
#include "sink/work_queue.hpp"

namespace insights {

class PgWorkQueue final : public WorkQueue {
 public:
  // commit_connections: at least 1. Connections open at their first use.
  explicit PgWorkQueue(PgSinkOptions options, int commit_connections = 1);
  ~PgWorkQueue() override;  // waits for the calls in progress, then stops the threads
  PgWorkQueue(const PgWorkQueue&) = delete;
  PgWorkQueue& operator=(const PgWorkQueue&) = delete;

  boost::asio::awaitable<void> register_source(std::string name, std::string account_sid) override;
  boost::asio::awaitable<std::optional<UtcSeconds>> latest_window_end(std::string source,
                                                                      WorkKind kind) override;
  boost::asio::awaitable<int> add_windows(std::string source, WorkKind kind,
                                          std::vector<PlannedWindow> windows) override;
  boost::asio::awaitable<std::vector<WorkItem>> claim_due(ClaimRequest request) override;
  boost::asio::awaitable<std::optional<WorkItem>> reload(long long id, std::string owner) override;
  boost::asio::awaitable<bool> renew_lease(long long id, std::string owner,
                                           UtcSeconds until) override;
  boost::asio::awaitable<bool> release(long long id, std::string owner) override;
  boost::asio::awaitable<CommitResult> commit_page(WorkItemRef item, Page page,
                                                   std::optional<UtcSeconds> lease_until) override;
  boost::asio::awaitable<CommitResult> merge_rows(std::string source, Page page) override;
  boost::asio::awaitable<bool> finish_pass(long long id, std::string owner,
                                           FinishedPass pass) override;
  boost::asio::awaitable<bool> record_failure(long long id, std::string owner,
                                              FailedAttempt attempt) override;
  boost::asio::awaitable<bool> split_window(long long id, std::string owner,
                                            std::vector<TimeWindow> pieces,
                                            UtcSeconds now) override;
  boost::asio::awaitable<std::vector<PartialCall>> partial_calls_in(std::string source,
                                                                    TimeWindow window,
                                                                    int limit) override;
  boost::asio::awaitable<int> mark_retention_expired(std::string source, TimeWindow window,
                                                     UtcSeconds now) override;

  // For /metrics: what the warehouse holds (sink/work_item_store.hpp).
  boost::asio::awaitable<WarehouseCensus> census(UtcSeconds overdue_before);

  // Before the event loop runs (blocking): drops every lease held by `owner`, so a restarted
  // instance takes its own items back at once. Returns how many.
  int release_leases_now(const std::string& owner);

  int commit_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace insights
