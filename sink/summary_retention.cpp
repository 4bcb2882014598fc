#include "sink/summary_retention.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>

#include "sink/database_call.hpp"
#include "sink/pg_connection.hpp"

namespace insights {
namespace {

// One batch: the rows a selector picks (at most $2, locked, skipping rows a page commit holds:
// no waiting either way), deleted through the primary key. ARRAY(...) keeps the outer DELETE
// an index lookup of exactly those rows instead of a join against the whole table.
std::string delete_batch(const char* selector) {
  return std::string("DELETE FROM call_summaries WHERE call_sid = ANY(ARRAY(") + selector + "))";
}

// Rows with a start_time, oldest first along its index, so a batch reads only what it deletes.
constexpr const char* kStartedBefore =
    "SELECT call_sid FROM call_summaries WHERE start_time < $1::timestamptz"
    " ORDER BY start_time LIMIT $2 FOR UPDATE SKIP LOCKED";
// Rows without one (rare), aged by their other timestamps; found through the same index (a
// btree holds NULLs too), never by scanning the table.
constexpr const char* kUndatedBefore =
    "SELECT call_sid FROM call_summaries WHERE start_time IS NULL"
    " AND coalesce(created_time, end_time, first_seen_at) < $1::timestamptz"
    " LIMIT $2 FOR UPDATE SKIP LOCKED";

}  // namespace

SummaryRetention::SummaryRetention(std::string conninfo, int batch_rows)
    : conninfo_(std::move(conninfo)), batch_rows_(batch_rows) {}

SummaryRetention::~SummaryRetention() = default;

pqxx::connection& SummaryRetention::connection() {
  if (!connection_ || !connection_->is_open())
    connection_ = open_connection(conninfo_);
  return *connection_;
}

RetentionRun SummaryRetention::delete_older_than(UtcSeconds cutoff, std::stop_token stop) {
  // A failure drops the connection, and with it the session's advisory lock.
  return call_database(
      "retention", [this] { connection_.reset(); },
      [&] {
        pqxx::connection& db = connection();
        RetentionRun run;
        if (!pqxx::nontransaction(db)
                 .exec_params1("SELECT pg_try_advisory_lock($1)", kLockKey)[0]
                 .as<bool>()) {
          run.skipped = true;
          return run;
        }
        const std::string before = format_utc(cutoff);
        for (const char* selector : {kStartedBefore, kUndatedBefore}) {
          const std::string statement = delete_batch(selector);
          pqxx::result::size_type deleted = 0;
          do {
            if (stop.stop_requested()) {
              run.stopped = true;
              break;
            }
            pqxx::work batch(db, "retention");
            deleted = batch.exec_params(statement, before, batch_rows_).affected_rows();
            batch.commit();
            run.rows_deleted += static_cast<long long>(deleted);
            if (deleted > 0)
              ++run.batches;
          } while (deleted == static_cast<pqxx::result::size_type>(batch_rows_));
        }
        pqxx::nontransaction(db).exec_params1("SELECT pg_advisory_unlock($1)", kLockKey);
        return run;
      });
}

}  // namespace insights
