#include "sink/work_item_store.hpp"

#include <algorithm>
#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

#include "core/error.hpp"
#include "sink/database_call.hpp"
#include "sink/pg_connection.hpp"
#include "sink/pg_values.hpp"
#include "sink/work_item_states.hpp"
#include "sink/work_item_writes.hpp"
#include "sink/work_queue.hpp"

namespace insights {
namespace {

std::string ts(UtcSeconds time) {
  return format_utc(time);
}

// "Start or end time in the window": which call timestamp Twilio's time filter uses is
// undocumented (docs/design.md, "How the sync works"), so a window owns rows by either.
constexpr const char* kRowInWindow =
    "((start_time >= $2::timestamptz AND start_time < $3::timestamptz)"
    " OR (end_time >= $2::timestamptz AND end_time < $3::timestamptz))";

// The columns claimed_item() reads, in order (work_items aliased as w).
constexpr const char* kItemColumns =
    "w.id, w.kind, extract(epoch FROM w.window_start)::bigint,"
    " extract(epoch FROM w.window_end)::bigint, w.state, w.page_cursor, w.passes_completed,"
    " w.pass_rows, w.pass_partial_rows, extract(epoch FROM w.pass_started_at)::bigint,"
    " w.pass_undecided";

WorkItem claimed_item(const pqxx::row& row) {
  WorkItem item;
  item.id = row[0].as<long long>();
  item.kind = work_kind_named(row[1].as<std::string>());
  item.window = {from_epoch(row[2]), from_epoch(row[3])};
  item.state = work_state_named(row[4].as<std::string>());
  if (!row[5].is_null())
    item.cursor = row[5].as<std::string>();
  item.passes_completed = row[6].as<int>();
  item.pass_undecided = row[10].as<bool>();
  // A resumed or undecided pass keeps its counters; a new pass starts from zero.
  if (item.cursor || item.pass_undecided) {
    item.pass_rows = row[7].as<int>();
    item.pass_partial_rows = row[8].as<int>();
  }
  if (!row[9].is_null())
    item.pass_started_at = from_epoch(row[9]);
  return item;
}

}  // namespace

struct WorkItemStore::Session {
  std::unique_ptr<pqxx::connection> connection;
};

WorkItemStore::WorkItemStore(std::string conninfo) : conninfo_(std::move(conninfo)) {}
WorkItemStore::~WorkItemStore() = default;

// Failures become DatabaseError naming `what` (sink/database_call.hpp).
template <typename Work>
auto WorkItemStore::transact(const char* what, Work work) {
  return call_database(
      std::string("work queue: ") + what, [this] { session_.reset(); },
      [&] {
        if (!session_ || !session_->connection->is_open())
          session_ = std::make_unique<Session>(Session{open_connection(conninfo_)});
        pqxx::work transaction(*session_->connection, what);
        auto result = work(transaction);
        transaction.commit();
        return result;
      });
}

// An UPDATE of one work item that only applies while `owner` holds its lease.
template <typename... Values>
bool WorkItemStore::update_leased(const char* what, const std::string& assignments, long long id,
                                  const std::string& owner, const Values&... values) {
  return transact(what, [&](pqxx::work& tx) {
    return tx.exec_params("UPDATE work_items SET " + assignments +
                              ", updated_at = now() WHERE id = $1 AND lease_owner = $2",
                          id, owner, values...)
               .affected_rows() == 1;
  });
}

void WorkItemStore::register_source(const std::string& name, const std::string& account_sid) {
  transact("register source", [&](pqxx::work& tx) {
    tx.exec_params0(
        "INSERT INTO sources (name, account_sid) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE"
        " SET account_sid = EXCLUDED.account_sid, updated_at = now()"
        " WHERE sources.account_sid IS DISTINCT FROM EXCLUDED.account_sid",
        name, account_sid);
    return 0;
  });
}

std::optional<UtcSeconds> WorkItemStore::latest_window_end(const std::string& source,
                                                           WorkKind kind) {
  return transact("latest window", [&](pqxx::work& tx) {
    const pqxx::row row = tx.exec_params1(
        "SELECT extract(epoch FROM max(window_end))::bigint FROM work_items"
        " WHERE source = $1 AND kind = $2",
        source, name_of(kind));
    return row[0].is_null() ? std::nullopt : std::optional<UtcSeconds>(from_epoch(row[0]));
  });
}

int WorkItemStore::add_windows(const std::string& source, WorkKind kind,
                               const std::vector<PlannedWindow>& windows) {
  if (windows.empty())
    return 0;
  return transact("add windows", [&](pqxx::work& tx) {
    int added = 0;
    for (const auto& planned : windows) {
      const pqxx::result result = tx.exec_params(
          "INSERT INTO work_items (source, kind, window_start, window_end, next_due_at)"
          " VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::timestamptz)"
          " ON CONFLICT (source, kind, window_start, window_end) DO NOTHING",
          source, name_of(kind), ts(planned.window.start), ts(planned.window.end), ts(planned.due));
      added += static_cast<int>(result.affected_rows());
    }
    return added;
  });
}

int WorkItemStore::release_leases(const std::string& owner) {
  return transact("release leases", [&](pqxx::work& tx) {
    return static_cast<int>(tx.exec_params("UPDATE work_items SET lease_owner = NULL,"
                                           " lease_expires_at = NULL WHERE lease_owner = $1",
                                           owner)
                                .affected_rows());
  });
}

std::vector<WorkItem> WorkItemStore::claim_due(const ClaimRequest& request) {
  return transact("claim due work", [&](pqxx::work& tx) {
    const pqxx::result rows = tx.exec_params(
        "WITH due AS ("
        "  SELECT id FROM work_items"
        "  WHERE source = $1 AND next_due_at <= $2::timestamptz"
        // (A parked window's next_due_at is its retry time: far in the future when never.)
        "    AND (state IN ('pending', 'open', 'parked')"
        "         OR (state = 'settled' AND NOT annotation_pass_done))"
        "    AND (lease_owner IS NULL OR lease_expires_at <= $2::timestamptz)"
        "    AND NOT (id = ANY ($5::bigint[])) AND ($7 = '' OR kind = $7)"
        // (Text parameters, cast only when set: '' is no timestamp.)
        "    AND ($8::text = '' OR (window_start < nullif($9::text, '')::timestamptz"
        "                           AND window_end > nullif($8::text, '')::timestamptz))"
        "  ORDER BY kind = 'live' DESC, window_end > $2::timestamptz DESC, next_due_at,"
        "    window_start"
        "  LIMIT $4 FOR UPDATE SKIP LOCKED)"
        " UPDATE work_items w SET lease_owner = $3,"
        "   lease_expires_at = $2::timestamptz + make_interval(secs => $6),"
        "   pass_started_at = CASE WHEN (w.page_cursor IS NULL AND NOT w.pass_undecided)"
        "     OR w.pass_started_at IS NULL"
        "     THEN $2::timestamptz ELSE w.pass_started_at END,"
        "   updated_at = now()"
        " FROM due WHERE w.id = due.id"
        " RETURNING " +
            std::string(kItemColumns),
        request.source, ts(request.now), request.owner, request.limit,
        bigint_array(request.exclude), request.lease_seconds,
        request.kind ? name_of(*request.kind) : "",
        request.within ? ts(request.within->start) : std::string(),
        request.within ? ts(request.within->end) : std::string());
    std::vector<WorkItem> items;
    for (const auto& row : rows)
      items.push_back(claimed_item(row));
    return items;
  });
}

std::optional<WorkItem> WorkItemStore::reload(long long id, const std::string& owner) {
  return transact("reload work item", [&](pqxx::work& tx) {
    const pqxx::result rows =
        tx.exec_params("SELECT " + std::string(kItemColumns) +
                           " FROM work_items w WHERE w.id = $1 AND w.lease_owner = $2",
                       id, owner);
    return rows.empty() ? std::nullopt : std::optional<WorkItem>(claimed_item(rows[0]));
  });
}

bool WorkItemStore::renew_lease(long long id, const std::string& owner, UtcSeconds until) {
  return update_leased("renew lease", "lease_expires_at = $3::timestamptz", id, owner, ts(until));
}

bool WorkItemStore::release(long long id, const std::string& owner) {
  return update_leased("release lease", "lease_owner = NULL, lease_expires_at = NULL", id, owner);
}

bool WorkItemStore::finish_pass(long long id, const std::string& owner, const FinishedPass& pass) {
  // (A settled window owing a pass is read again as its annotation pass.)
  static const std::string settle = "state = " + state_after_sql(WorkEvent::pass_settled) + ", ";
  static const std::string keep_open =
      "state = " + state_after_sql(WorkEvent::pass_kept_open) + ", ";
  return update_leased(
      "finish pass",
      (pass.settled ? settle : keep_open) +
          "pass_undecided = false,"
          " next_due_at = CASE WHEN passes_completed < requested_passes THEN $4::timestamptz"
          "                    ELSE $3::timestamptz END,"
          " annotation_pass_done = $5 AND passes_completed >= requested_passes,"
          " lease_owner = NULL, lease_expires_at = NULL, attempts = 0,"
          " last_error = NULL, last_error_at = NULL",
      id, owner, ts(pass.next_due), ts(pass.now), pass.annotation_pass_done);
}

bool WorkItemStore::record_failure(long long id, const std::string& owner,
                                   const FailedAttempt& attempt) {
  if (attempt.retry) {
    // The holder keeps the lease through its backoff; a refused cursor restarts the pass.
    return update_leased(
        "note failure",
        "attempts = attempts + 1, last_error = $3, last_error_at = now(),"
        " lease_expires_at = $4::timestamptz,"
        " page_cursor = CASE WHEN $5::boolean THEN NULL ELSE page_cursor END,"
        " pass_pages = CASE WHEN $5::boolean THEN 0 ELSE pass_pages END,"
        " pass_rows = CASE WHEN $5::boolean THEN 0 ELSE pass_rows END,"
        " pass_partial_rows = CASE WHEN $5::boolean THEN 0 ELSE pass_partial_rows END,"
        " pass_started_at = CASE WHEN $5::boolean THEN $6::timestamptz"
        "                        ELSE pass_started_at END",
        id, owner, attempt.error, ts(attempt.lease_until), attempt.restart_pass, ts(attempt.now));
  }
  static const std::string parked = "state = " + state_after_sql(WorkEvent::parked) + ", ";
  return update_leased("record failure",
                       (attempt.park ? parked : std::string()) +
                           "attempts = attempts + 1, last_error = $3, last_error_at = now(),"
                           " next_due_at = $4::timestamptz,"
                           " lease_owner = NULL, lease_expires_at = NULL",
                       id, owner, attempt.error, ts(attempt.due));
}

bool WorkItemStore::split_window(long long id, const std::string& owner,
                                 const std::vector<TimeWindow>& pieces, UtcSeconds now) {
  return transact("split window", [&](pqxx::work& tx) {
    const pqxx::result parent = tx.exec_params(
        "DELETE FROM work_items WHERE id = $1 AND lease_owner = $2 AND kind = 'backfill'"
        " AND passes_completed = 0 AND page_cursor IS NULL RETURNING source, requested_passes",
        id, owner);
    if (parent.empty())
      return false;
    const auto source = parent[0][0].as<std::string>();
    const int requested = std::min(parent[0][1].as<int>(), 1);
    for (const auto& piece : pieces) {
      tx.exec_params0(
          "INSERT INTO work_items (source, kind, window_start, window_end, next_due_at,"
          " requested_passes) VALUES ($1, 'backfill', $2::timestamptz, $3::timestamptz,"
          " $4::timestamptz, $5) ON CONFLICT (source, kind, window_start, window_end) DO NOTHING",
          source, ts(piece.start), ts(piece.end), ts(now), requested);
    }
    return true;
  });
}

std::vector<PartialCall> WorkItemStore::partial_calls_in(const std::string& source,
                                                         const TimeWindow& window, int limit) {
  return transact("find partial rows", [&](pqxx::work& tx) {
    const pqxx::result rows = tx.exec_params(
        std::string("SELECT call_sid, extract(epoch FROM start_time)::bigint,"
                    " extract(epoch FROM end_time)::bigint FROM call_summaries WHERE source = $1"
                    " AND processing_state = 'partial' AND retention_expired_at IS NULL AND ") +
            kRowInWindow + " ORDER BY call_sid LIMIT $4",
        source, ts(window.start), ts(window.end), limit);
    std::vector<PartialCall> calls;
    for (const auto& row : rows) {
      PartialCall call{row[0].as<std::string>(), std::nullopt, std::nullopt};
      if (!row[1].is_null())
        call.start_time = from_epoch(row[1]);
      if (!row[2].is_null())
        call.end_time = from_epoch(row[2]);
      calls.push_back(std::move(call));
    }
    return calls;
  });
}

int WorkItemStore::mark_retention_expired(const std::string& source, const TimeWindow& window,
                                          UtcSeconds now) {
  return transact("mark expired partial rows", [&](pqxx::work& tx) {
    return static_cast<int>(
        tx.exec_params(std::string("UPDATE call_summaries SET retention_expired_at = "
                                   "$4::timestamptz WHERE source = $1"
                                   " AND processing_state = 'partial'"
                                   " AND retention_expired_at IS NULL AND ") +
                           kRowInWindow,
                       source, ts(window.start), ts(window.end), ts(now))
            .affected_rows());
  });
}

WarehouseCensus WorkItemStore::census(UtcSeconds overdue_before) {
  return transact("census", [&](pqxx::work& tx) {
    WarehouseCensus census;
    for (const auto& row : tx.exec("SELECT source, kind, state, count(*) FROM work_items"
                                   " GROUP BY source, kind, state")) {
      census.work_items.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                                   row[2].as<std::string>(), row[3].as<long long>()});
    }
    // The partial backlog index (0001) serves both counts.
    for (const auto& row :
         tx.exec_params("SELECT source, count(*), count(*) FILTER (WHERE end_time < $1)"
                        " FROM call_summaries WHERE processing_state = 'partial'"
                        " AND retention_expired_at IS NULL GROUP BY source",
                        ts(overdue_before))) {
      census.partial_rows[row[0].as<std::string>()] = row[1].as<long long>();
      census.overdue_partial_rows[row[0].as<std::string>()] = row[2].as<long long>();
    }
    for (const auto& row : tx.exec(
             "SELECT source,"
             " extract(epoch FROM min(window_start) FILTER (WHERE state IN ('pending', 'open')))"
             "::bigint,"
             " extract(epoch FROM coalesce("
             "   min(window_start) FILTER (WHERE kind = 'live' AND passes_completed = 0),"
             "   max(least(window_end, last_pass_finished_at))"
             "     FILTER (WHERE kind = 'live' AND passes_completed > 0)))::bigint"
             " FROM work_items GROUP BY source")) {
      if (!row[1].is_null())
        census.oldest_unsettled[row[0].as<std::string>()] = from_epoch(row[1]);
      if (!row[2].is_null())
        census.read_through[row[0].as<std::string>()] = from_epoch(row[2]);
    }
    // The newest call of each source, read from the end of the (source, start_time) index
    // (0007): one index descent per source at every scrape, however many millions of rows the
    // table holds and however old a source's newest call is. Written so that only that index
    // can serve it: with `max(start_time) ... WHERE source = name` the planner may take the
    // start_time index instead, walking back from the table's newest call and fetching each row
    // to test its source (it assumes a match comes soon; costs are near equal when the
    // visibility map is not set), which for a source without rows reads the whole table. The
    // range on `source` (equality for its deterministic collation) keeps `source` in the ORDER
    // BY, an order only the (source, start_time) index delivers without sorting.
    for (const auto& row : tx.exec(
             "SELECT s.name, floor(extract(epoch FROM (SELECT c.start_time FROM call_summaries c"
             "   WHERE c.source >= s.name AND c.source <= s.name AND c.start_time IS NOT NULL"
             "   ORDER BY c.source DESC, c.start_time DESC LIMIT 1)))::bigint"
             " FROM sources s")) {
      if (!row[1].is_null())
        census.newest_call_start[row[0].as<std::string>()] = from_epoch(row[1]);
    }
    return census;
  });
}

// Statements run inside other components' transactions (sink/work_item_writes.hpp).

namespace {

constexpr const char* kLockWorkItem = "insights_lock_work_item";
constexpr const char* kAdvanceCursor = "insights_advance_cursor";

constexpr const char* kLockWorkItemSql =
    "SELECT source, page_cursor, passes_completed, lease_owner FROM work_items"
    " WHERE id = $1 FOR UPDATE";

// $2: the next page's URL; $3: the pass ends with this page (no next page); $4: this page
// starts a pass. (libpqxx 6 cannot bind a NULL parameter from a variable, hence $3 for NULL.)
std::string advance_cursor_sql() {
  return "UPDATE work_items SET page_cursor = CASE WHEN $3::boolean THEN NULL ELSE $2 END,"
         " passes_completed = passes_completed + CASE WHEN $3::boolean THEN 1 ELSE 0 END,"
         " pass_pages = CASE WHEN $4::boolean THEN 1 ELSE pass_pages + 1 END,"
         " pass_rows = CASE WHEN $4::boolean THEN 0 ELSE pass_rows END + $5::integer,"
         " pass_partial_rows = CASE WHEN $4::boolean THEN 0 ELSE pass_partial_rows END"
         "   + $6::integer,"
         " pass_undecided = $3::boolean,"
         " pages_read = pages_read + 1,"
         " rows_inserted = rows_inserted + $7::integer,"
         " rows_updated = rows_updated + $8::integer,"
         " rows_unchanged = rows_unchanged + $9::integer,"
         " rows_downgrade_refused = rows_downgrade_refused + $10::integer,"
         " state = CASE WHEN $3::boolean THEN " +
         state_after_sql(WorkEvent::last_page_committed) +
         " ELSE state END,"
         " last_pass_finished_at = CASE WHEN $3::boolean THEN now()"
         "   ELSE last_pass_finished_at END,"
         " lease_expires_at = CASE WHEN $11::text = '' THEN lease_expires_at"
         "                         ELSE nullif($11::text, '')::timestamptz END,"
         " attempts = 0, last_error = NULL, last_error_at = NULL, updated_at = now()"
         " WHERE id = $1";
}

// (libpqxx 6.4's field::get<std::string, std::optional>() throws on NULL instead.)
std::optional<std::string> optional_text(const pqxx::field& field) {
  if (field.is_null())
    return std::nullopt;
  return field.as<std::string>();
}

// Existing windows overlapping the range owe one more pass: a window between passes gets it
// next, one in the middle of a pass (page_cursor set) one after that, because the pages it
// already read predate the request. A settled window takes it as its late annotation pass
// (and stays settled); a parked window is given another chance.
std::string request_existing_sql() {
  return "UPDATE work_items SET"
         " requested_passes = passes_completed + CASE WHEN page_cursor IS NULL THEN 1 ELSE 2 END,"
         " state = " +
         state_after_sql(WorkEvent::more_passes_requested) +
         ","
         " annotation_pass_done = false,"
         " next_due_at = least(next_due_at, $4::timestamptz),"
         " attempts = 0, last_error = NULL, last_error_at = NULL, updated_at = now()"
         " WHERE source = $1 AND window_start < $3::timestamptz AND window_end > $2::timestamptz";
}

// Gaps: every aligned slot of the range not already covered by existing windows.
constexpr const char* kAddGapsSql =
    "INSERT INTO work_items (source, kind, window_start, window_end, next_due_at,"
    "                        requested_passes)"
    " SELECT $1, 'backfill', slot, slot + make_interval(mins => $5), $4::timestamptz, 1"
    " FROM generate_series($2::timestamptz, $3::timestamptz - make_interval(mins => $5),"
    "                      make_interval(mins => $5)) AS slot"
    " WHERE coalesce((SELECT sum(extract(epoch FROM"
    "                   least(w.window_end, slot + make_interval(mins => $5))"
    "                   - greatest(w.window_start, slot)))"
    "                 FROM work_items w WHERE w.source = $1"
    "                 AND w.window_start < slot + make_interval(mins => $5)"
    "                 AND w.window_end > slot), 0) < $5 * 60"
    " ON CONFLICT (source, kind, window_start, window_end) DO NOTHING";

}  // namespace

void prepare_page_statements(pqxx::connection& connection) {
  connection.prepare(kLockWorkItem, kLockWorkItemSql);
  connection.prepare(kAdvanceCursor, advance_cursor_sql());
}

std::optional<LockedWorkItem> lock_for_page(pqxx::work& transaction, long long id) {
  const pqxx::result locked = transaction.exec_prepared(kLockWorkItem, id);
  if (locked.empty())
    return std::nullopt;
  const pqxx::row row = locked[0];
  return LockedWorkItem{.source = row[0].as<std::string>(),
                        .cursor = optional_text(row[1]),
                        .pass = row[2].as<int>(),
                        .lease_owner = optional_text(row[3])};
}

void advance_cursor(pqxx::work& transaction, const WorkItemRef& item,
                    const std::optional<std::string>& next_page, const CommitResult& page,
                    std::optional<UtcSeconds> lease_until) {
  transaction.exec_prepared0(kAdvanceCursor, item.id, next_page.value_or(""), !next_page,
                             !item.cursor.has_value(), page.distinct_rows, page.partial_rows,
                             page.inserted, page.updated, page.unchanged, page.downgrade_refused,
                             lease_until ? format_utc(*lease_until) : std::string());
}

PassesRequested request_passes(pqxx::work& transaction, const std::string& source,
                               const TimeWindow& range, int window_minutes, UtcSeconds now) {
  const std::string start = ts(range.start), end = ts(range.end), due = ts(now);
  PassesRequested passes;
  passes.windows_requested = static_cast<int>(
      transaction.exec_params(request_existing_sql(), source, start, end, due).affected_rows());
  passes.windows_added =
      static_cast<int>(transaction.exec_params(kAddGapsSql, source, start, end, due, window_minutes)
                           .affected_rows());
  return passes;
}

}  // namespace insights
