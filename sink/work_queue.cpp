#include "sink/work_queue.hpp"

#include <algorithm>
#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

#include "core/error.hpp"
#include "sink/database_call.hpp"
#include "sink/pg_connection.hpp"

namespace insights {
namespace {

std::string ts(UtcSeconds time) {
  return format_utc(time);
}

UtcSeconds from_epoch(const pqxx::field& field) {
  return UtcSeconds(std::chrono::seconds(field.as<long long>()));
}

std::string id_array(const std::set<long long>& ids) {
  std::string text = "{";
  for (long long id : ids) {
    if (text.size() > 1)
      text += ',';
    text += std::to_string(id);
  }
  return text + "}";
}

const char* state_name(WindowState state) {
  switch (state) {
    case WindowState::open:
      return "open";
    case WindowState::settled:
      return "settled";
    case WindowState::parked:
      return "parked";
  }
  return "open";
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

ClaimedWorkItem claimed_item(const pqxx::row& row) {
  ClaimedWorkItem item;
  item.id = row[0].as<long long>();
  item.kind = row[1].as<std::string>();
  item.window = {from_epoch(row[2]), from_epoch(row[3])};
  item.state = row[4].as<std::string>();
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

WorkQueue::WorkQueue(std::string conninfo) : conninfo_(std::move(conninfo)) {}
WorkQueue::~WorkQueue() = default;

pqxx::connection& WorkQueue::connection() {
  if (!connection_ || !connection_->is_open())
    connection_ = open_connection(conninfo_);
  return *connection_;
}

// Failures become DatabaseError naming `what` (sink/database_call.hpp).
template <typename Work>
auto WorkQueue::transact(const char* what, Work work) {
  return call_database(
      std::string("work queue: ") + what, [this] { connection_.reset(); },
      [&] {
        pqxx::work transaction(connection(), what);
        auto result = work(transaction);
        transaction.commit();
        return result;
      });
}

// An UPDATE of one work item that only applies while `owner` holds its lease.
template <typename... Values>
bool WorkQueue::update_leased(const char* what, const std::string& assignments, long long id,
                              const std::string& owner, const Values&... values) {
  return transact(what, [&](pqxx::work& tx) {
    return tx.exec_params("UPDATE work_items SET " + assignments +
                              ", updated_at = now() WHERE id = $1 AND lease_owner = $2",
                          id, owner, values...)
               .affected_rows() == 1;
  });
}

void WorkQueue::register_source(const std::string& name, const std::string& account_sid) {
  transact("register source", [&](pqxx::work& tx) {
    tx.exec_params0(
        "INSERT INTO sources (name, account_sid) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE"
        " SET account_sid = EXCLUDED.account_sid, updated_at = now()"
        " WHERE sources.account_sid IS DISTINCT FROM EXCLUDED.account_sid",
        name, account_sid);
    return 0;
  });
}

std::optional<UtcSeconds> WorkQueue::latest_window_end(const std::string& source,
                                                       const std::string& kind) {
  return transact("latest window", [&](pqxx::work& tx) {
    const pqxx::row row = tx.exec_params1(
        "SELECT extract(epoch FROM max(window_end))::bigint FROM work_items"
        " WHERE source = $1 AND kind = $2",
        source, kind);
    return row[0].is_null() ? std::nullopt : std::optional<UtcSeconds>(from_epoch(row[0]));
  });
}

int WorkQueue::add_windows(const std::string& source, const std::string& kind,
                           const std::vector<TimeWindow>& windows, UtcSeconds due_at) {
  return add_windows(source, kind, windows, [due_at](const TimeWindow&) { return due_at; });
}

int WorkQueue::add_windows(const std::string& source, const std::string& kind,
                           const std::vector<TimeWindow>& windows,
                           const std::function<UtcSeconds(const TimeWindow&)>& due_at) {
  if (windows.empty())
    return 0;
  return transact("add windows", [&](pqxx::work& tx) {
    int added = 0;
    for (const auto& window : windows) {
      const pqxx::result result = tx.exec_params(
          "INSERT INTO work_items (source, kind, window_start, window_end, next_due_at)"
          " VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::timestamptz)"
          " ON CONFLICT (source, kind, window_start, window_end) DO NOTHING",
          source, kind, ts(window.start), ts(window.end), ts(due_at(window)));
      added += static_cast<int>(result.affected_rows());
    }
    return added;
  });
}

int WorkQueue::release_leases(const std::string& owner) {
  return transact("release leases", [&](pqxx::work& tx) {
    return static_cast<int>(tx.exec_params("UPDATE work_items SET lease_owner = NULL,"
                                           " lease_expires_at = NULL WHERE lease_owner = $1",
                                           owner)
                                .affected_rows());
  });
}

std::vector<ClaimedWorkItem> WorkQueue::claim_due(const ClaimRequest& request) {
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
        request.source, ts(request.now), request.owner, request.limit, id_array(request.exclude),
        request.lease_seconds, request.kind.value_or(""),
        request.within ? ts(request.within->start) : std::string(),
        request.within ? ts(request.within->end) : std::string());
    std::vector<ClaimedWorkItem> items;
    for (const auto& row : rows)
      items.push_back(claimed_item(row));
    return items;
  });
}

std::optional<ClaimedWorkItem> WorkQueue::reload(long long id, const std::string& owner) {
  return transact("reload work item", [&](pqxx::work& tx) {
    const pqxx::result rows =
        tx.exec_params("SELECT " + std::string(kItemColumns) +
                           " FROM work_items w WHERE w.id = $1 AND w.lease_owner = $2",
                       id, owner);
    return rows.empty() ? std::nullopt : std::optional<ClaimedWorkItem>(claimed_item(rows[0]));
  });
}

bool WorkQueue::note_failure(long long id, const std::string& owner, const std::string& error,
                             UtcSeconds lease_until) {
  return update_leased("note failure",
                       "attempts = attempts + 1, last_error = $3, last_error_at = now(),"
                       " lease_expires_at = $4::timestamptz",
                       id, owner, error, ts(lease_until));
}

bool WorkQueue::renew_lease(long long id, const std::string& owner, UtcSeconds until) {
  return update_leased("renew lease", "lease_expires_at = $3::timestamptz", id, owner, ts(until));
}

bool WorkQueue::release(long long id, const std::string& owner) {
  return update_leased("release lease", "lease_owner = NULL, lease_expires_at = NULL", id, owner);
}

bool WorkQueue::finish_pass(long long id, const std::string& owner, WindowState state,
                            UtcSeconds next_due, bool annotation_pass_done, UtcSeconds now) {
  // (A settled window owing a pass is read again as its annotation pass.)
  return update_leased(
      "finish pass",
      "state = $3, pass_undecided = false,"
      " next_due_at = CASE WHEN passes_completed < requested_passes THEN $6::timestamptz"
      "                    ELSE $4::timestamptz END,"
      " annotation_pass_done = $5 AND passes_completed >= requested_passes,"
      " lease_owner = NULL, lease_expires_at = NULL, attempts = 0,"
      " last_error = NULL, last_error_at = NULL",
      id, owner, state_name(state), ts(next_due), annotation_pass_done, ts(now));
}

bool WorkQueue::record_failure(long long id, const std::string& owner, const std::string& error,
                               UtcSeconds next_due, bool park) {
  return update_leased("record failure",
                       "attempts = attempts + 1, last_error = $3, last_error_at = now(),"
                       " next_due_at = $4::timestamptz,"
                       " state = CASE WHEN $5::boolean THEN 'parked' ELSE state END,"
                       " lease_owner = NULL, lease_expires_at = NULL",
                       id, owner, error, ts(next_due), park);
}

bool WorkQueue::restart_pass(long long id, const std::string& owner, UtcSeconds now) {
  return update_leased("restart pass",
                       "page_cursor = NULL, pass_pages = 0, pass_rows = 0, pass_partial_rows = 0,"
                       " pass_started_at = $3::timestamptz",
                       id, owner, ts(now));
}

bool WorkQueue::split_window(long long id, const std::string& owner,
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

std::vector<std::string> WorkQueue::partial_calls_in(const std::string& source,
                                                     const TimeWindow& window, int limit) {
  return transact("find partial rows", [&](pqxx::work& tx) {
    const pqxx::result rows = tx.exec_params(
        std::string("SELECT call_sid FROM call_summaries WHERE source = $1"
                    " AND processing_state = 'partial' AND retention_expired_at IS NULL AND ") +
            kRowInWindow + " ORDER BY call_sid LIMIT $4",
        source, ts(window.start), ts(window.end), limit);
    std::vector<std::string> sids;
    for (const auto& row : rows)
      sids.push_back(row[0].as<std::string>());
    return sids;
  });
}

int WorkQueue::mark_retention_expired(const std::string& source, const TimeWindow& window,
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

WarehouseCensus WorkQueue::census(UtcSeconds overdue_before) {
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
    return census;
  });
}

}  // namespace insights
