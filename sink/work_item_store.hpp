#pragma once
// The work items (time windows) in PostgreSQL: the blocking statements behind PgWorkQueue, and
// the only code that writes `work_items` (with sink/work_item_writes.hpp, the statements other
// transactions run: a page's cursor advance, a backfill's request). Postgres is the coordinator
// (docs/architecture.md, "The work item's states"): claims use FOR UPDATE SKIP LOCKED and a lease
// expiry, so several instances share the queue and a dead instance's items are taken over once
// their leases expire. What each operation means: sink/work_queue.hpp.
//
// Threading: blocking (libpqxx), one connection; use from one thread at a time (PgWorkQueue's
// queue thread, or a command before any event loop runs). Errors: DatabaseError
// (core/error.hpp) with the kind from sink/pg_error_kind.hpp; a lost connection is reopened on
// the next call.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sink/work_item.hpp"

namespace insights {

struct PlannedWindow;

// What the warehouse holds, per source, for the metrics endpoint.
struct WarehouseCensus {
  struct WorkItems {
    std::string source, kind, state;
    long long windows = 0;
  };
  std::vector<WorkItems> work_items;
  std::map<std::string, long long> partial_rows;          // by source; retention not expired
  std::map<std::string, long long> overdue_partial_rows;  // of those, whose call ended before
                                                          // the census's `overdue_before`
  std::map<std::string, UtcSeconds> oldest_unsettled;     // start of the oldest pending/open window
  // Every live window was read up to here: the start of the oldest live window never read, or
  // else the newest live window's last finished pass (at most its end); as bi.sync_health.
  std::map<std::string, UtcSeconds> read_through;
  // start_time of the newest call stored for the source (whole seconds); no entry for a source
  // without rows.
  std::map<std::string, UtcSeconds> newest_call_start;
};

class WorkItemStore {
 public:
  explicit WorkItemStore(std::string conninfo);
  ~WorkItemStore();
  WorkItemStore(const WorkItemStore&) = delete;
  WorkItemStore& operator=(const WorkItemStore&) = delete;

  void register_source(const std::string& name, const std::string& account_sid);
  std::optional<UtcSeconds> latest_window_end(const std::string& source, WorkKind kind);
  int add_windows(const std::string& source, WorkKind kind,
                  const std::vector<PlannedWindow>& windows);
  // Drops every lease held by `owner`: a restarted instance takes its own items back at once.
  int release_leases(const std::string& owner);
  std::vector<WorkItem> claim_due(const ClaimRequest& request);
  std::optional<WorkItem> reload(long long id, const std::string& owner);
  bool renew_lease(long long id, const std::string& owner, UtcSeconds until);
  bool release(long long id, const std::string& owner);
  bool finish_pass(long long id, const std::string& owner, const FinishedPass& pass);
  bool record_failure(long long id, const std::string& owner, const FailedAttempt& attempt);
  bool split_window(long long id, const std::string& owner, const std::vector<TimeWindow>& pieces,
                    UtcSeconds now);
  std::vector<PartialCall> partial_calls_in(const std::string& source, const TimeWindow& window,
                                            int limit);
  int mark_retention_expired(const std::string& source, const TimeWindow& window, UtcSeconds now);
  // Partial rows of calls that ended before `overdue_before` count as overdue.
  WarehouseCensus census(UtcSeconds overdue_before);

 private:
  struct Session;  // the connection, opened on first use
  // Runs `work(pqxx::work&)` in one transaction (defined and used in work_item_store.cpp only).
  template <typename Work>
  auto transact(const char* what, Work work);
  template <typename... Values>
  bool update_leased(const char* what, const std::string& assignments, long long id,
                     const std::string& owner, const Values&... values);

  std::string conninfo_;
  std::unique_ptr<Session> session_;
};

}  // namespace insights
