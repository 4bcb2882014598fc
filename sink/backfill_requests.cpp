#include "sink/backfill_requests.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include "sink/database_call.hpp"
#include "sink/pg_values.hpp"
#include "sink/work_item_writes.hpp"

namespace insights {
namespace {

// Progress of backfills `b`: every window overlapping the range counts.
constexpr const char* kProgressSelect =
    "SELECT b.id, b.source, extract(epoch FROM b.range_start)::bigint,"
    " extract(epoch FROM b.range_end)::bigint, extract(epoch FROM b.requested_at)::bigint,"
    " b.requested_by, count(w.id),"
    " count(w.id) FILTER (WHERE w.passes_completed >= w.requested_passes),"
    " count(w.id) FILTER (WHERE w.state = 'parked'),"
    " coalesce(sum(w.pass_rows) FILTER (WHERE w.passes_completed >= w.requested_passes"
    "                                   OR w.page_cursor IS NOT NULL), 0)"
    " FROM b LEFT JOIN work_items w ON w.source = b.source"
    "   AND w.window_start < b.range_end AND w.window_end > b.range_start"
    " GROUP BY b.id, b.source, b.range_start, b.range_end, b.requested_at, b.requested_by"
    " ORDER BY b.source, b.id";

std::vector<BackfillProgress> progress_rows(const pqxx::result& rows) {
  std::vector<BackfillProgress> result;
  for (const auto& row : rows) {
    result.push_back({.id = row[0].as<long long>(),
                      .source = row[1].as<std::string>(),
                      .range = {from_epoch(row[2]), from_epoch(row[3])},
                      .requested_at = from_epoch(row[4]),
                      .requested_by = row[5].as<std::string>(),
                      .windows = row[6].as<long long>(),
                      .windows_done = row[7].as<long long>(),
                      .windows_parked = row[8].as<long long>(),
                      .rows = row[9].as<long long>()});
  }
  return result;
}

template <typename Work>
auto backfill_call(const char* what, Work work) {
  return call_database(
      std::string("backfill: ") + what, [] {}, work);
}

}  // namespace

BackfillEnqueued enqueue_backfill(pqxx::connection& connection, const BackfillSpec& spec) {
  return backfill_call("enqueue", [&] {
    pqxx::work tx(connection, "enqueue backfill");
    BackfillEnqueued enqueued;
    enqueued.id = tx.exec_params1(
                        "INSERT INTO backfills (source, range_start, range_end, requested_at,"
                        " requested_by) VALUES ($1, $2::timestamptz, $3::timestamptz,"
                        " $4::timestamptz, $5) RETURNING id",
                        spec.source, format_utc(spec.range.start), format_utc(spec.range.end),
                        format_utc(spec.now), spec.requested_by)[0]
                      .as<long long>();
    const PassesRequested passes =
        request_passes(tx, spec.source, spec.range, spec.window_minutes, spec.now);
    enqueued.windows_requested = passes.windows_requested;
    enqueued.windows_added = passes.windows_added;
    tx.commit();
    return enqueued;
  });
}

std::vector<BackfillProgress> read_backfill_progress(pqxx::connection& connection,
                                                     const std::vector<long long>& ids) {
  return backfill_call("read progress", [&] {
    pqxx::read_transaction tx(connection, "backfill progress");
    return progress_rows(
        tx.exec_params("WITH b AS (SELECT * FROM backfills WHERE id = ANY ($1::bigint[])) " +
                           std::string(kProgressSelect),
                       bigint_array(ids)));
  });
}

std::vector<BackfillProgress> read_recent_backfills(pqxx::connection& connection, int per_source) {
  return backfill_call("read recent backfills", [&] {
    pqxx::read_transaction tx(connection, "recent backfills");
    return progress_rows(
        tx.exec_params("WITH b AS (SELECT * FROM (SELECT *, row_number() OVER"
                       " (PARTITION BY source ORDER BY id DESC) AS newest FROM backfills) ranked"
                       " WHERE newest <= $1) " +
                           std::string(kProgressSelect),
                       per_source));
  });
}

}  // namespace insights
