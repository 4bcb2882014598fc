#pragma once
// Deletes call summaries older than a cutoff, in small batches that are each their own short
// transaction, so the sync's page commits never wait long for it ([retention] in the config;
// daemon/retention_schedule.hpp runs it).
//
//   SummaryRetention retention(conninfo);
//   const RetentionRun run = retention.delete_older_than(now - std::chrono::days(90));
//
// Age: a row's start_time, the call's own time (what dashboards filter on and what Twilio's
// retention counts; indexed, so a batch is an index range scan). A row without start_time is
// aged by created_time, then end_time, then first_seen_at, so it does not stay forever. Only
// rows strictly older than the cutoff go: start_time equal to the cutoff stays.
// Only call_summaries changes: work_items, sources and backfills are untouched.
//
// Several instances on one database: one deletes at a time (a session advisory lock, tried,
// never waited for); the others skip the run. Rows a page commit holds locked are skipped
// (FOR UPDATE SKIP LOCKED) and left for the next run, so neither side waits for the other.
//
// Threading: blocking (libpqxx), with a connection of its own; one thread at a time.
// Errors: DatabaseError (core/error.hpp) with the kind from sink/pg_error_kind.hpp; batches
// committed before the failure stay deleted, and the connection is reopened on the next call.

#include <memory>
#include <stop_token>
#include <string>

#include "core/utc_time.hpp"
#include "sink/pqxx_fwd.hpp"

namespace insights {

struct RetentionRun {
  bool skipped = false;  // another instance held the retention lock: nothing was deleted
  bool stopped = false;  // stop was requested between batches: the rest waits for the next run
  long long rows_deleted = 0;
  int batches = 0;  // transactions that deleted rows, each at most a full batch
};

class SummaryRetention {
 public:
  static constexpr int kDefaultBatchRows = 5000;
  // The session advisory lock a run holds (in pg_locks: locktype advisory, classid 26990,
  // objid 1936880750); arbitrary but fixed, and not the migration lock's key. Advisory locks
  // are per database, as sharing one is.
  static constexpr long long kLockKey = 0x696e7372746e;  // "insrtn"

  explicit SummaryRetention(std::string conninfo, int batch_rows = kDefaultBatchRows);
  ~SummaryRetention();
  SummaryRetention(const SummaryRetention&) = delete;
  SummaryRetention& operator=(const SummaryRetention&) = delete;

  // Deletes batch after batch (rows with a start_time first, then those without) until a
  // batch finds fewer than batch_rows rows, or `stop` is requested (checked before each batch).
  RetentionRun delete_older_than(UtcSeconds cutoff, std::stop_token stop = {});

 private:
  pqxx::connection& connection();

  std::string conninfo_;
  int batch_rows_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace insights
