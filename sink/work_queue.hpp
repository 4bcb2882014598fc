#pragma once
// The work queue as the scheduler sees it: typed, awaitable operations on work items (time
// windows) and on the rows their pages bring. It is the one seam between the scheduler
// (daemon/source_sync.hpp) and storage: PgWorkQueue (sink/pg_work_queue.hpp) keeps it in
// PostgreSQL, InMemoryWorkQueue (tests/support) in memory for scheduler tests; both pass
// tests/sink/work_queue_contract_test.cpp.
//
// Rules every implementation keeps (docs/architecture.md, "Invariants"):
// - A page's rows and the cursor advance commit together, only while the caller's WorkItemRef
//   still matches the stored item (else StaleWorkItemError) — so no page is applied twice.
// - A complete row is never replaced by a partial one; an identical row writes nothing.
// - Leases: a claim leases due items for `lease_seconds`; every write about an item applies only
//   while the caller holds its lease (false when not); an expired lease can be claimed by
//   anyone.
// - States move only as sink/work_item_states.hpp says.
// Every time is passed in by the caller (its clock), never read from a server clock.
//
// Threading: awaited from the scheduler's event loop; implementations resume the awaiting
// coroutine on its own executor. Errors: SyncError (core/error.hpp) whose kind() says what the
// caller should do.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/page.hpp"
#include "sink/commit_result.hpp"
#include "sink/work_item.hpp"

namespace insights {

// A window to plan and when it is first due.
struct PlannedWindow {
  TimeWindow window;
  UtcSeconds due{};
};

class WorkQueue {
 public:
  virtual ~WorkQueue() = default;

  // Records the source (name → account) so work items can refer to it.
  virtual boost::asio::awaitable<void> register_source(std::string name,
                                                       std::string account_sid) = 0;
  // End of the newest window of this kind, if any.
  virtual boost::asio::awaitable<std::optional<UtcSeconds>> latest_window_end(std::string source,
                                                                              WorkKind kind) = 0;
  // Inserts windows that do not exist yet, pending (idempotent); returns how many were new.
  virtual boost::asio::awaitable<int> add_windows(std::string source, WorkKind kind,
                                                  std::vector<PlannedWindow> windows) = 0;

  // Leases up to `limit` due items (pending/open, settled awaiting the annotation pass, or
  // parked and due for another try; due at or before `now`; lease free or expired): live before
  // backfill, the window holding `now` first, then oldest due. A pass that starts now gets
  // pass_started_at = now.
  virtual boost::asio::awaitable<std::vector<WorkItem>> claim_due(ClaimRequest request) = 0;
  // The item as committed now, if `owner` still holds its lease (after a failure whose outcome
  // is unknown, e.g. a commit whose answer was lost).
  virtual boost::asio::awaitable<std::optional<WorkItem>> reload(long long id,
                                                                 std::string owner) = 0;
  // Extends the lease; false when the item is no longer leased by `owner`.
  virtual boost::asio::awaitable<bool> renew_lease(long long id, std::string owner,
                                                   UtcSeconds until) = 0;
  // Gives the lease back without changing anything else (the committed cursor stays).
  virtual boost::asio::awaitable<bool> release(long long id, std::string owner) = 0;

  // Merges the page's rows and advances the item's cursor (clears it and counts the pass on the
  // last page) in one transaction; the lease is extended to `lease_until` when given.
  virtual boost::asio::awaitable<CommitResult> commit_page(
      WorkItemRef item, Page page, std::optional<UtcSeconds> lease_until) = 0;
  // Merges rows that belong to no cursor (single summaries fetched one by one), same rules.
  virtual boost::asio::awaitable<CommitResult> merge_rows(std::string source, Page page) = 0;

  // The pass ended: the new state, when to read the window again, lease released, failures
  // reset. A window that still owes a pass to a backfill is due again at `pass.now` instead.
  virtual boost::asio::awaitable<bool> finish_pass(long long id, std::string owner,
                                                   FinishedPass pass) = 0;
  // A failed attempt: attempts + 1 and the error kept; see FailedAttempt for the rest.
  virtual boost::asio::awaitable<bool> record_failure(long long id, std::string owner,
                                                      FailedAttempt attempt) = 0;
  // Replaces a backfill window that has not completed a pass yet by `pieces` (which must cover
  // it exactly), due at `now`, while `owner` holds its lease; false when it no longer does.
  virtual boost::asio::awaitable<bool> split_window(long long id, std::string owner,
                                                    std::vector<TimeWindow> pieces,
                                                    UtcSeconds now) = 0;

  // Partial rows of `source` whose start or end time falls in the window and whose retention
  // has not expired, at most `limit`, by call_sid.
  virtual boost::asio::awaitable<std::vector<PartialCall>> partial_calls_in(std::string source,
                                                                            TimeWindow window,
                                                                            int limit) = 0;
  // Marks the window's remaining partial rows as never to complete (retention ran out).
  virtual boost::asio::awaitable<int> mark_retention_expired(std::string source, TimeWindow window,
                                                             UtcSeconds now) = 0;
};

}  // namespace insights
