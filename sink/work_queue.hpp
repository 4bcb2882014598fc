#pragma once
// The work items (time windows) in PostgreSQL as the scheduler sees them: plan windows, lease
// the due ones, and record how each pass ended. Postgres is the coordinator (docs/architecture.md,
// "The work item's states"): claims use FOR UPDATE SKIP LOCKED and a lease expiry, so several
// instances share the queue and a dead instance's items are taken over once its leases expire.
//
// Every time is passed in by the caller (its clock), never read from the server, so tests
// drive time and all instances agree on "due".
// Threading: blocking (libpqxx), one connection; use from one thread at a time (the daemon's
// database thread). Errors: DatabaseError (core/error.hpp) with the kind from
// sink/pg_error_kind.hpp; a lost connection is reopened on the next call.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <set>
#include <string>
#include <vector>

#include "core/time_window.hpp"
#include "core/utc_time.hpp"

namespace insights {

struct ClaimedWorkItem {
  long long id = 0;
  std::string kind;  // live | backfill
  TimeWindow window;
  std::string state;  // pending | open | settled (its annotation pass) | parked (another try)
  std::optional<std::string> cursor;
  int passes_completed = 0;
  int pass_rows = 0;          // rows committed so far in this pass (resumed passes)
  int pass_partial_rows = 0;  // of those, partial
  UtcSeconds pass_started_at{};
  // The last pass read every page but what it means was not recorded (the process died in
  // between): record it from the counters above, without reading the window again.
  bool pass_undecided = false;
  // Not stored: rows this process inserted and updated in the pass (for its log line).
  int pass_inserted = 0;
  int pass_updated = 0;
  // Not stored: the earliest end_time of partial rows this process read in the pass.
  std::optional<UtcSeconds> earliest_partial_end;
};

struct ClaimRequest {
  std::string source;
  std::string owner;
  UtcSeconds now{};
  int lease_seconds = 60;
  int limit = 1;
  std::set<long long> exclude;       // items this instance is working on right now
  std::optional<std::string> kind;   // only this kind (live | backfill); nullopt: any
  std::optional<TimeWindow> within;  // only windows overlapping this range; nullopt: any
};

enum class WindowState { open, settled, parked };

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
};

class WorkQueue {
 public:
  explicit WorkQueue(std::string conninfo);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Records the source (name → account) so work items can refer to it.
  void register_source(const std::string& name, const std::string& account_sid);

  // End of the newest window of this kind, if any.
  std::optional<UtcSeconds> latest_window_end(const std::string& source, const std::string& kind);

  // Inserts windows that do not exist yet (idempotent); returns how many were new.
  int add_windows(const std::string& source, const std::string& kind,
                  const std::vector<TimeWindow>& windows, UtcSeconds due_at);
  // The same, each window first due at due_at(window).
  int add_windows(const std::string& source, const std::string& kind,
                  const std::vector<TimeWindow>& windows,
                  const std::function<UtcSeconds(const TimeWindow&)>& due_at);

  // Drops every lease held by `owner`: a restarted instance takes its own items back at once.
  int release_leases(const std::string& owner);

  // Leases up to `limit` due items (pending/open, settled awaiting the annotation pass, or
  // parked and due for another try; next_due_at <= now; lease free or expired):
  // live before backfill, the window holding `now` first, then oldest due. A pass that starts
  // now gets pass_started_at = now.
  std::vector<ClaimedWorkItem> claim_due(const ClaimRequest& request);

  // The item as committed now, if `owner` still holds its lease (after a failure whose outcome
  // is unknown, e.g. a commit whose answer was lost).
  std::optional<ClaimedWorkItem> reload(long long id, const std::string& owner);

  // Records a failed attempt while the caller keeps the lease and retries: attempts + 1, the
  // error text kept (so `status` shows it), lease extended to `lease_until`.
  bool note_failure(long long id, const std::string& owner, const std::string& error,
                    UtcSeconds lease_until);

  // Extends the lease; false when the item is no longer leased by `owner`.
  bool renew_lease(long long id, const std::string& owner, UtcSeconds until);

  // Gives the lease back without changing anything else (shutting down mid-pass: the
  // committed cursor stays, the next holder resumes there).
  bool release(long long id, const std::string& owner);

  // The pass ended: new state, when to read the window again (for a settled window: its
  // annotation pass, unless done), lease released, failures reset. A window that still owes a
  // pass to a backfill (passes_completed < requested_passes) is due again at `now` instead.
  bool finish_pass(long long id, const std::string& owner, WindowState state, UtcSeconds next_due,
                   bool annotation_pass_done, UtcSeconds now);

  // A failed attempt: attempts + 1, the error text kept, lease released, due again at
  // `next_due`; parked when `park` (a parked window is claimed again once due and stays parked
  // until a pass finishes; as for any window, a committed page clears its error).
  bool record_failure(long long id, const std::string& owner, const std::string& error,
                      UtcSeconds next_due, bool park);

  // The API refused the page cursor (21481): the pass starts over from the first page.
  bool restart_pass(long long id, const std::string& owner, UtcSeconds now);

  // Replaces a backfill window that has not completed a pass yet by `pieces` (which must
  // cover it exactly), due now, while `owner` holds its lease; false when it no longer does.
  bool split_window(long long id, const std::string& owner, const std::vector<TimeWindow>& pieces,
                    UtcSeconds now);

  // Partial rows of `source` whose start or end time falls in the window and whose retention
  // has not expired, at most `limit`, by call_sid.
  std::vector<std::string> partial_calls_in(const std::string& source, const TimeWindow& window,
                                            int limit);

  // Partial rows of calls that ended before `overdue_before` count as overdue.
  WarehouseCensus census(UtcSeconds overdue_before);

  // Marks the window's remaining partial rows as never to complete (retention ran out).
  int mark_retention_expired(const std::string& source, const TimeWindow& window, UtcSeconds now);

 private:
  pqxx::connection& connection();
  // Runs `work(pqxx::work&)` in one transaction (defined and used in work_queue.cpp only).
  template <typename Work>
  auto transact(const char* what, Work work);
  template <typename... Values>
  bool update_leased(const char* what, const std::string& assignments, long long id,
                     const std::string& owner, const Values&... values);

  std::string conninfo_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace insights
