#include "daemon/status_report.hpp"

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/writer.h>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

#include "daemon/window_planner.hpp"

namespace insights {
namespace {

std::optional<std::string> text(const pqxx::field& field) {
  if (field.is_null())
    return std::nullopt;
  return field.as<std::string>();
}

// Timestamps as ISO-8601 UTC, as the API writes them.
constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

std::string iso(const std::string& expression) {
  return "to_char(" + expression + " AT TIME ZONE 'UTC', " + kIso + ")";
}

// "45 s", "12 min", "3 h 5 min", "2 d 4 h": an age a reader takes in at a glance.
std::string age_text(long long seconds) {
  if (seconds < 120)
    return std::to_string(seconds) + " s";
  const long long minutes = seconds / 60, hours = minutes / 60, days = hours / 24;
  if (hours < 2)
    return std::to_string(minutes) + " min";
  if (days < 2)
    return std::to_string(hours) + " h " + std::to_string(minutes % 60) + " min";
  return std::to_string(days) + " d " + std::to_string(hours % 24) + " h";
}

// Everything but the backfills, in one read-only transaction.
std::vector<SourceStatus> read_sources(pqxx::connection& connection, UtcSeconds now,
                                       const SyncOptions& options) {
  std::vector<SourceStatus> result;
  pqxx::read_transaction tx(connection, "status");
  const std::string sql =
      "SELECT s.name, s.account_sid,"
      " " +
      iso("w.watermark") +
      ", w.pending, w.open, w.settled, w.parked, w.backfill,"
      " w.backfill_done, " +
      iso("w.oldest_unsettled") +
      ", r.total, r.partial, r.overdue,"
      " r.expired, " +
      iso("w.last_pass") + ", e.last_error, " + iso("e.last_error_at") +
      ","
      " " +
      iso("e.window_start") +
      ", l.owners, floor(extract(epoch FROM r.newest))::bigint"
      " FROM sources s"
      " LEFT JOIN LATERAL (SELECT"
      "   coalesce(min(window_start) FILTER (WHERE kind = 'live' AND passes_completed = 0),"
      "            max(window_end) FILTER (WHERE kind = 'live')) AS watermark,"
      "   count(*) FILTER (WHERE state = 'pending') AS pending,"
      "   count(*) FILTER (WHERE state = 'open') AS open,"
      "   count(*) FILTER (WHERE state = 'settled') AS settled,"
      "   count(*) FILTER (WHERE state = 'parked') AS parked,"
      "   count(*) FILTER (WHERE kind = 'backfill') AS backfill,"
      "   count(*) FILTER (WHERE kind = 'backfill' AND passes_completed > 0) AS backfill_done,"
      "   min(window_start) FILTER (WHERE state IN ('pending', 'open')) AS oldest_unsettled,"
      "   max(last_pass_finished_at) AS last_pass"
      "   FROM work_items WHERE source = s.name) w ON true"
      " LEFT JOIN LATERAL (SELECT count(*) AS total,"
      "   count(*) FILTER (WHERE processing_state = 'partial'"
      "                    AND retention_expired_at IS NULL) AS partial,"
      "   count(*) FILTER (WHERE processing_state = 'partial' AND retention_expired_at IS NULL"
      "                    AND end_time < $1::timestamptz - make_interval(mins => $2)) AS "
      "overdue,"
      "   count(*) FILTER (WHERE retention_expired_at IS NOT NULL) AS expired,"
      "   max(start_time) AS newest"
      "   FROM call_summaries WHERE source = s.name) r ON true"
      " LEFT JOIN LATERAL (SELECT last_error, last_error_at, window_start FROM work_items"
      "   WHERE source = s.name AND last_error IS NOT NULL"
      "   ORDER BY last_error_at DESC LIMIT 1) e ON true"
      " LEFT JOIN LATERAL (SELECT array_to_string(array_agg(DISTINCT lease_owner), ',') AS owners"
      "   FROM work_items WHERE source = s.name AND lease_owner IS NOT NULL"
      "   AND lease_expires_at > $1::timestamptz) l ON true"
      " ORDER BY s.name";
  const pqxx::result rows =
      tx.exec_params(sql, format_utc(now), overdue_partial_after(options).count());
  for (const auto& row : rows) {
    SourceStatus status;
    status.name = row[0].as<std::string>();
    status.account_sid = text(row[1]);
    status.watermark = text(row[2]);
    status.windows_pending = row[3].as<long long>();
    status.windows_open = row[4].as<long long>();
    status.windows_settled = row[5].as<long long>();
    status.windows_parked = row[6].as<long long>();
    status.backfill_windows = row[7].as<long long>();
    status.backfill_windows_done = row[8].as<long long>();
    status.oldest_unsettled_window = text(row[9]);
    status.rows = row[10].as<long long>();
    status.partial_rows = row[11].as<long long>();
    status.overdue_partial_rows = row[12].as<long long>();
    status.retention_expired_rows = row[13].as<long long>();
    status.last_pass_finished_at = text(row[14]);
    status.last_error = text(row[15]);
    status.last_error_at = text(row[16]);
    status.last_error_window = text(row[17]);
    if (auto owners = text(row[18]); owners && !owners->empty()) {
      std::size_t start = 0;
      while (start <= owners->size()) {
        const std::size_t comma = owners->find(',', start);
        const std::size_t end = comma == std::string::npos ? owners->size() : comma;
        status.instances.push_back(owners->substr(start, end - start));
        start = end + 1;
      }
    }
    if (!row[19].is_null()) {
      const UtcSeconds newest{std::chrono::seconds(row[19].as<long long>())};
      status.newest_call_start = format_utc(newest);
      status.newest_call_age_seconds = (now - newest).count();
    }
    result.push_back(std::move(status));
  }
  return result;
}

}  // namespace

std::vector<SourceStatus> read_status(pqxx::connection& connection, UtcSeconds now,
                                      const SyncOptions& options) {
  std::vector<SourceStatus> result = read_sources(connection, now, options);
  for (auto& backfill : read_recent_backfills(connection, kStatusBackfills)) {
    for (auto& status : result) {
      if (status.name == backfill.source)
        status.backfills.push_back(std::move(backfill));
    }
  }
  return result;
}

void print_status_text(std::ostream& out, const std::vector<SourceStatus>& sources) {
  if (sources.empty()) {
    out << "no sources have synced yet (run `insights-sync run` or `sync --once`)\n";
    return;
  }
  const auto or_dash = [](const std::optional<std::string>& value) {
    return value ? *value : std::string("-");
  };
  for (const auto& s : sources) {
    out << "source " << s.name << " (" << or_dash(s.account_sid) << ")\n"
        << "  watermark:          " << or_dash(s.watermark) << "\n"
        << "  windows:            " << s.windows_settled << " settled, " << s.windows_open
        << " open, " << s.windows_pending << " pending, " << s.windows_parked << " parked\n"
        << "  oldest unsettled:   " << or_dash(s.oldest_unsettled_window) << "\n"
        << "  rows:               " << s.rows << " (" << s.partial_rows << " partial, "
        << s.overdue_partial_rows << " overdue, " << s.retention_expired_rows
        << " expired partial)\n"
        << "  last pass finished: " << or_dash(s.last_pass_finished_at) << "\n";
    out << "  newest call:        ";
    if (s.newest_call_start && s.newest_call_age_seconds)
      out << *s.newest_call_start << " (started " << age_text(*s.newest_call_age_seconds)
          << " ago)\n";
    else
      out << "-\n";
    if (s.backfill_windows > 0) {
      out << "  backfill windows:   " << s.backfill_windows_done << " of " << s.backfill_windows
          << " read at least once\n";
    }
    for (const auto& b : s.backfills) {
      out << "  backfill #" << b.id << ":"
          << std::string(b.id < 10    ? 8
                         : b.id < 100 ? 7
                                      : 6,
                         ' ')
          << format_utc(b.range.start) << " .. " << format_utc(b.range.end) << ": "
          << b.windows_done << "/" << b.windows << " windows, " << b.rows << " rows"
          << (b.windows_parked > 0 ? ", " + std::to_string(b.windows_parked) + " parked" : "")
          << (b.done() ? " (done)" : "") << "; requested " << format_utc(b.requested_at) << " by "
          << b.requested_by << "\n";
    }
    std::string instances;
    for (const auto& name : s.instances)
      instances += (instances.empty() ? "" : ", ") + name;
    out << "  working instances:  " << (instances.empty() ? "-" : instances) << "\n";
    if (s.last_error) {
      out << "  last error:         " << or_dash(s.last_error_at) << " window "
          << or_dash(s.last_error_window) << ": " << *s.last_error << "\n";
    } else {
      out << "  last error:         -\n";
    }
  }
}

void print_status_json(std::ostream& out, const std::vector<SourceStatus>& sources) {
  rapidjson::OStreamWrapper stream(out);
  rapidjson::Writer<rapidjson::OStreamWrapper> json(stream);
  const auto optional_string = [&json](const char* key, const std::optional<std::string>& value) {
    json.Key(key);
    if (value)
      json.String(value->c_str(), static_cast<rapidjson::SizeType>(value->size()));
    else
      json.Null();
  };
  const auto number = [&json](const char* key, long long value) {
    json.Key(key);
    json.Int64(value);
  };
  json.StartObject();
  json.Key("sources");
  json.StartArray();
  for (const auto& s : sources) {
    json.StartObject();
    optional_string("name", s.name);
    optional_string("account_sid", s.account_sid);
    optional_string("watermark", s.watermark);
    json.Key("windows");
    json.StartObject();
    number("pending", s.windows_pending);
    number("open", s.windows_open);
    number("settled", s.windows_settled);
    number("parked", s.windows_parked);
    number("backfill", s.backfill_windows);
    number("backfill_read", s.backfill_windows_done);
    json.EndObject();
    optional_string("oldest_unsettled_window", s.oldest_unsettled_window);
    number("rows", s.rows);
    number("partial_rows", s.partial_rows);
    number("overdue_partial_rows", s.overdue_partial_rows);
    number("retention_expired_rows", s.retention_expired_rows);
    optional_string("last_pass_finished_at", s.last_pass_finished_at);
    optional_string("newest_call_start", s.newest_call_start);
    json.Key("newest_call_age_seconds");
    if (s.newest_call_age_seconds)
      json.Int64(*s.newest_call_age_seconds);
    else
      json.Null();
    json.Key("last_error");
    if (s.last_error) {
      json.StartObject();
      optional_string("message", s.last_error);
      optional_string("at", s.last_error_at);
      optional_string("window_start", s.last_error_window);
      json.EndObject();
    } else {
      json.Null();
    }
    json.Key("instances");
    json.StartArray();
    for (const auto& name : s.instances)
      json.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
    json.EndArray();
    json.Key("backfills");
    json.StartArray();
    for (const auto& b : s.backfills) {
      json.StartObject();
      number("id", b.id);
      optional_string("from", format_utc(b.range.start));
      optional_string("to", format_utc(b.range.end));
      optional_string("requested_at", format_utc(b.requested_at));
      optional_string("requested_by", b.requested_by);
      number("windows", b.windows);
      number("windows_done", b.windows_done);
      number("windows_parked", b.windows_parked);
      number("rows", b.rows);
      json.Key("done");
      json.Bool(b.done());
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  out << "\n";
}

}  // namespace insights
