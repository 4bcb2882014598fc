// The BI views (schema/0005_bi_views.sql) and the dashboard queries in bench/bi-queries/, on a
// warehouse seeded by a real sync from insights-sim: two accounts, six hours of calls up to
// now, some still partial, one window of the second account failing. Every query runs with
// its placeholders bound, returns the columns its header names, and returns plausible figures:
// volumes that add up to the rows stored, percentages and MOS within their ranges, derived
// columns equal to the JSON they come from, abnormal sessions with a non-200 code, and a
// sync-health row per source that agrees with the work items.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <sstream>
#include <string>
#include <vector>

#include "api/http_transport_error.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"
#include "tests/bi/seeded_warehouse.hpp"
#include "tests/support/fake_summaries_api.hpp"

namespace insights {
namespace {

using namespace std::chrono;

using testing::kSecondAccount;

// A query file of bench/bi-queries/: its SQL with psql placeholders (:'from', :'to',
// :'account') and the result columns its "-- columns:" line promises.
struct DashboardQuery {
  std::string name;
  std::string sql;
  std::vector<std::string> columns;
};

std::vector<std::string> split_columns(const std::string& list) {
  std::vector<std::string> columns;
  std::istringstream stream(list);
  std::string column;
  while (std::getline(stream, column, ',')) {
    const auto first = column.find_first_not_of(' ');
    const auto last = column.find_last_not_of(' ');
    if (first != std::string::npos)
      columns.push_back(column.substr(first, last - first + 1));
  }
  return columns;
}

std::vector<DashboardQuery> dashboard_queries() {
  std::vector<DashboardQuery> queries;
  const std::filesystem::path directory = INSIGHTS_SOURCE_DIR "/bench/bi-queries";
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".sql")
      continue;
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    DashboardQuery query{entry.path().stem().string(), text.str(), {}};
    const std::string marker = "-- columns:";
    if (const auto at = query.sql.find(marker); at != std::string::npos) {
      const auto start = at + marker.size();
      query.columns = split_columns(query.sql.substr(start, query.sql.find('\n', start) - start));
    }
    queries.push_back(std::move(query));
  }
  std::sort(queries.begin(), queries.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return queries;
}

void replace_all(std::string& text, const std::string& placeholder, const std::string& value) {
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
}

// What the panel asks for: one account over [from, to).
struct Range {
  UtcSeconds from;
  UtcSeconds to;
  std::string account;
};

class BiViewsTest : public testing::SeededWarehouseTest {
 protected:
  // The second source's window three hours back keeps failing: sync health must show it.
  SourceSyncReport sync_second_account(testing::SyncHarnessOptions options) override {
    options.sync.once_attempts = 2;
    std::optional<testing::FakeSummariesApi> failing;
    options.wrap_api = [&](SummariesApi& real) -> SummariesApi& {
      testing::FakeSummariesApi& api = failing.emplace(&real);
      api.before_list = [this](const WindowRequest& window, const std::optional<std::string>&) {
        if (window.start == failing_window)
          throw HttpTransportError(TransportFailure::reset, "injected: connection reset");
      };
      return api;
    };
    const SourceSyncReport report = testing::sync_once(options);
    EXPECT_EQ(report.windows_given_up, 1);
    return report;
  }

  std::string bind(const DashboardQuery& query, const Range& range) {
    std::string sql = query.sql;
    replace_all(sql, ":'from'", pg->quote(format_utc(range.from)));
    replace_all(sql, ":'to'", pg->quote(format_utc(range.to)));
    replace_all(sql, ":'account'", pg->quote(range.account));
    return sql;
  }

  pqxx::result run(const DashboardQuery& query, const Range& range) {
    pqxx::nontransaction transaction(*pg);
    return transaction.exec(bind(query, range));
  }

  pqxx::result run(const std::string& name, const Range& range) {
    for (const auto& query : queries) {
      if (query.name == name)
        return run(query, range);
    }
    ADD_FAILURE() << "no query " << name << " in bench/bi-queries";
    return {};
  }

  pqxx::result rows(const std::string& sql) {
    pqxx::nontransaction transaction(*pg);
    return transaction.exec(sql);
  }

  // Sum of `column` over the rows of a result.
  static double sum(const pqxx::result& result, const std::string& column) {
    double total = 0;
    for (const auto& row : result) {
      if (!row[column].is_null())
        total += row[column].as<double>();
    }
    return total;
  }

  long long stored(const Range& range, const std::string& condition = "true") {
    return std::stoll(scalar(
        "SELECT count(*) FROM call_summaries WHERE account_sid = " + pg->quote(range.account) +
        " AND start_time >= " + pg->quote(format_utc(range.from)) + " AND start_time < " +
        pg->quote(format_utc(range.to)) + " AND " + condition));
  }

  const UtcSeconds failing_window = floor<hours>(now) - hours(3);
  // The panels' two ranges; both hold every seeded call.
  const Range day{now - hours(24), now + minutes(1), testing::kSimAccount};
  const Range month{now - days(30), now + minutes(1), testing::kSimAccount};
  const std::vector<DashboardQuery> queries = dashboard_queries();
};

TEST_F(BiViewsTest, EveryDashboardQueryReturnsItsColumnsAndRows) {
  ASSERT_GE(queries.size(), 10u);
  for (const auto& query : queries) {
    SCOPED_TRACE(query.name);
    ASSERT_FALSE(query.columns.empty()) << "no '-- columns:' line";
    for (const Range& range : {day, month}) {
      const pqxx::result result = run(query, range);
      std::vector<std::string> columns;
      for (pqxx::row::size_type i = 0; i < result.columns(); ++i)
        columns.emplace_back(result.column_name(i));
      EXPECT_EQ(columns, query.columns);
      EXPECT_GT(result.size(), 0u);
    }
  }
}

TEST_F(BiViewsTest, TheAccountAndTheTimeRangeSelectTheRows) {
  const Range second{day.from, day.to, kSecondAccount};
  const Range nobody{day.from, day.to, "AC0000000000000000000000000000dead"};
  const Range two_hours{now - hours(3), now - hours(1), testing::kSimAccount};
  for (const Range& range : {day, second, two_hours}) {
    SCOPED_TRACE(format_utc(range.from) + " " + range.account);
    ASSERT_GT(stored(range), 0);
    EXPECT_EQ(sum(run("01_call_volume_hourly", range), "calls"), stored(range));
    EXPECT_EQ(sum(run("02_call_volume_daily", range), "calls"), stored(range));
  }
  EXPECT_LT(stored(two_hours), stored(day));
  // Every query but sync health filters by account.
  for (const auto& query : queries) {
    if (query.sql.find(":'account'") == std::string::npos)
      continue;
    EXPECT_EQ(run(query, nobody).size(), 0u) << query.name;
  }
}

TEST_F(BiViewsTest, BreakdownsAddUpToTheCallsTheyCount) {
  const long long calls = stored(day);
  const pqxx::result parties = run("11_parties_by_country", day);
  for (const std::string party : {"from", "to"}) {
    double party_calls = 0;
    for (const auto& row : parties) {
      if (row["party"].as<std::string>() == party)
        party_calls += row["calls"].as<double>();
    }
    EXPECT_EQ(party_calls, calls) << party;
  }
  EXPECT_EQ(sum(run("13_answered_by", day), "calls"),
            stored(day, "call_state IN ('completed', 'answered')"));
  EXPECT_EQ(sum(run("14_annotations", day), "calls"), stored(day, "annotation IS NOT NULL"));
  const long long tags = std::stoll(
      scalar("SELECT coalesce(sum(cardinality(tags)), 0) FROM call_summaries WHERE account_sid = " +
             pg->quote(day.account)));
  EXPECT_GT(tags, 0);
  EXPECT_EQ(sum(run("10_tag_counts_hourly", day), "calls"), tags);
  // The top carriers are a part of all calls.
  const double carrier_calls = sum(run("12_parties_by_carrier", day), "calls");
  EXPECT_GT(carrier_calls, 0);
  EXPECT_LE(carrier_calls, 2.0 * calls);
}

TEST_F(BiViewsTest, QualityFiguresAreWithinTheirRanges) {
  for (const auto& row : run("04_packet_loss_by_edge_hourly", month)) {
    for (const char* edge : {"carrier_pct", "sip_pct", "client_pct", "sdk_pct"}) {
      if (row[edge].is_null())
        continue;
      EXPECT_GE(row[edge].as<double>(), 0.0) << edge;
      EXPECT_LE(row[edge].as<double>(), 100.0) << edge;
    }
  }
  const pqxx::result mos = run("05_sdk_mos_rtt_hourly", month);
  ASSERT_GT(mos.size(), 0u);
  for (const auto& row : mos) {
    for (const char* column : {"mos_avg", "mos_min"}) {
      EXPECT_GE(row[column].as<double>(), 1.0) << column;
      EXPECT_LE(row[column].as<double>(), 5.0) << column;
    }
    EXPECT_GT(row["rtt_avg_ms"].as<double>(), 0.0);
  }
  // A call's average jitter never exceeds its peak, so neither do the hour's figures.
  for (const auto& row : run("03_jitter_by_edge_hourly", month)) {
    for (const std::string edge : {"carrier", "sip", "client", "sdk"}) {
      if (row[edge + "_avg_ms"].is_null())
        continue;
      EXPECT_GE(row[edge + "_avg_ms"].as<double>(), 0.0) << edge;
      EXPECT_LE(row[edge + "_avg_ms"].as<double>(), row[edge + "_max_ms"].as<double>()) << edge;
    }
  }
  // Row by row, and every edge measured somewhere: the sim sends all four.
  const pqxx::row figures = rows(
      "SELECT count(*) FILTER (WHERE NOT (coalesce(carrier_packet_loss_pct, 0) BETWEEN 0 AND 100"
      "   AND coalesce(sip_packet_loss_pct, 0) BETWEEN 0 AND 100"
      "   AND coalesce(client_packet_loss_pct, 0) BETWEEN 0 AND 100"
      "   AND coalesce(sdk_packet_loss_pct, 0) BETWEEN 0 AND 100"
      "   AND coalesce(sdk_mos, 1) BETWEEN 1 AND 5)),"
      " count(carrier_jitter_avg_ms), count(sip_jitter_avg_ms), count(client_jitter_avg_ms),"
      " count(sdk_jitter_avg_ms), count(sdk_mos), count(sdk_rtt_ms), count(pdd_ms),"
      " count(carrier_packet_loss_pct) FILTER (WHERE carrier_packet_loss_pct > 0)"
      " FROM bi.call_quality")[0];
  EXPECT_EQ(figures[0].as<long long>(), 0) << "values out of range";
  for (pqxx::row::size_type i = 1; i < figures.size(); ++i)
    EXPECT_GT(figures[i].as<long long>(), 0) << "column " << i << " never measured";
}

// How many rows of bi.call_facts differ from the call_summaries row they come from, the
// metrics recomputed here from the JSON in plain SQL: jitter is the worse of the two directions;
// packet loss is what the packet counts give (packets_lost / packets × 100). Calls without facts
// (or facts without a call) count too.
std::string facts_differing_from_json_sql() {
  std::string differs = "f.call_sid IS NULL OR c.call_sid IS NULL";
  for (const std::string edge : {"carrier", "sip", "client", "sdk"}) {
    const std::string json = "c." + edge + "_edge";
    for (const std::string field : {"avg", "max"}) {
      differs += " OR f." + edge + "_jitter_" + field + "_ms IS DISTINCT FROM greatest((" + json +
                 " #>> '{metrics,inbound,jitter," + field + "}')::float8, (" + json +
                 " #>> '{metrics,outbound,jitter," + field + "}')::float8)";
    }
    differs += " OR abs(coalesce(f." + edge + "_packet_loss_pct, -1) - coalesce(greatest((" + json +
               " #>> '{metrics,inbound,packets_lost}')::float8 * 100 / nullif((" + json +
               " #>> '{metrics,inbound,packets_received}')::float8, 0), (" + json +
               " #>> '{metrics,outbound,packets_lost}')::float8 * 100 / nullif((" + json +
               " #>> '{metrics,outbound,packets_sent}')::float8, 0)), -1)) > 0.00001";
  }
  differs +=
      " OR f.sdk_mos IS DISTINCT FROM (c.sdk_edge #>> '{metrics,inbound,mos,avg}')::float8"
      " OR f.sdk_rtt_ms IS DISTINCT FROM (c.sdk_edge #>> '{metrics,inbound,rtt,avg}')::float8"
      " OR f.pdd_ms IS DISTINCT FROM (c.properties ->> 'pdd_ms')::int"
      " OR f.last_sip_response_num IS DISTINCT FROM"
      "    (c.properties ->> 'last_sip_response_num')::int"
      " OR f.from_carrier IS DISTINCT FROM c.from_party ->> 'carrier'"
      " OR f.to_country_code IS DISTINCT FROM c.to_party ->> 'country_code'"
      " OR f.annotated IS DISTINCT FROM (c.annotation IS NOT NULL)"
      " OR (f.annotated_answered_by, f.connectivity_issue, f.call_score, f.spam,"
      "     f.annotation_comment) IS DISTINCT FROM"
      "    (c.annotation ->> 'answered_by', c.annotation ->> 'connectivity_issue',"
      "     (c.annotation ->> 'call_score')::int, (c.annotation ->> 'spam')::boolean,"
      "     c.annotation ->> 'comment')"
      " OR f.quality_issues IS DISTINCT FROM CASE WHEN c.annotation IS NOT NULL THEN"
      "    ARRAY(SELECT jsonb_array_elements_text(c.annotation -> 'quality_issues')) END"
      " OR (f.account_sid, f.start_time, f.end_time, f.call_type, f.call_state, f.direction,"
      "     f.answered_by, f.processing_state, f.duration, f.connect_duration, f.tags, f.source)"
      "    IS DISTINCT FROM"
      "    (c.account_sid, c.start_time, c.end_time, c.call_type, c.call_state, c.direction,"
      "     c.answered_by, c.processing_state, c.duration, c.connect_duration, c.tags, c.source)";
  return "SELECT count(*) FILTER (WHERE " + differs +
         "), count(c.sdk_edge), count(f.sdk_mos)"
         " FROM bi.call_facts f FULL JOIN call_summaries c ON c.call_sid = f.call_sid";
}

TEST_F(BiViewsTest, CallFactsEqualTheJsonTheyComeFrom) {
  const pqxx::row row = rows(facts_differing_from_json_sql())[0];
  EXPECT_EQ(row[0].as<long long>(), 0) << "facts differing from their call";
  EXPECT_GT(row[1].as<long long>(), 0);
  EXPECT_GT(row[2].as<long long>(), 0);
}

// The triggers keep bi.call_facts in step with every kind of write to call_summaries.
TEST_F(BiViewsTest, CallFactsFollowUpdatesDeletesAndTruncation) {
  // The daemon's own upserts (INSERT ... ON CONFLICT DO UPDATE): an hour on, the partial rows
  // have completed and are merged again.
  clock.set(now + hours(1));
  sim->set_time(now + hours(1));
  const SourceSyncReport report =
      testing::sync_once(testing::harness_for(*sim, db->conninfo(), clock, kLookbackHours));
  ASSERT_FALSE(report.fatal_error) << *report.fatal_error;
  ASSERT_GT(std::stoll(scalar("SELECT sum(rows_updated) FROM work_items WHERE source = 'sim'")), 0);
  EXPECT_EQ(rows(facts_differing_from_json_sql())[0][0].as<long long>(), 0);

  const std::string one = scalar(
      "SELECT min(call_sid) FROM call_summaries WHERE sdk_edge #> '{metrics,inbound,mos}' IS NOT "
      "NULL");
  rows(
      "UPDATE call_summaries SET properties = jsonb_set(properties, '{pdd_ms}', '4321'),"
      " sdk_edge = jsonb_set(sdk_edge, '{metrics,inbound,mos,avg}', '1.25', true),"
      " annotation = '{\"connectivity_issue\": \"dropped_call\", \"call_score\": 2,"
      " \"quality_issues\": [\"echo\", \"latency\"]}'"
      " WHERE call_sid = " +
      pg->quote(one));
  EXPECT_EQ(scalar("SELECT concat_ws(' ', pdd_ms, sdk_mos, connectivity_issue, call_score,"
                   " quality_issues) FROM bi.call_facts WHERE call_sid = " +
                   pg->quote(one)),
            "4321 1.25 dropped_call 2 {echo,latency}");
  rows("DELETE FROM call_summaries WHERE source = 'sim-2'");
  EXPECT_EQ(
      scalar("SELECT count(*) FROM bi.call_facts WHERE account_sid = " + pg->quote(kSecondAccount)),
      "0");
  EXPECT_EQ(rows(facts_differing_from_json_sql())[0][0].as<long long>(), 0);
  rows("TRUNCATE call_summaries");
  EXPECT_EQ(scalar("SELECT count(*) FROM bi.call_facts"), "0");
}

// A warehouse synced before the BI layer existed: migration 0005 fills bi.call_facts from the
// rows already there (and the views show them).
TEST(BiMigration, FillsTheFactsOfAWarehouseSyncedBeforeIt) {
  testing::TestDatabase database;
  std::vector<Migration> before_bi;
  for (const auto& migration : embedded_migrations()) {
    if (std::string(migration.name) == "bi_views")
      break;
    before_bi.push_back(migration);
  }
  ASSERT_LT(before_bi.size(), embedded_migrations().size());
  auto connection = database.connect();
  apply_migrations(*connection, before_bi);

  const UtcSeconds now = floor<seconds>(system_clock::now());
  testing::FakeClock clock{now};
  sim::GeneratorOptions data;
  data.seed = 3;
  data.calls_per_hour = 300;
  testing::RunningSim sim(data, {}, now);
  sim.set_time(now);
  const SourceSyncReport report =
      testing::sync_once(testing::harness_for(sim, database.conninfo(), clock, 3));
  ASSERT_FALSE(report.fatal_error) << *report.fatal_error;

  apply_migrations(*connection, embedded_migrations());
  pqxx::nontransaction transaction(*connection);
  const pqxx::row row = transaction.exec1(facts_differing_from_json_sql());
  EXPECT_EQ(row[0].as<long long>(), 0) << "facts differing from their call";
  EXPECT_GT(row[1].as<long long>(), 0);
  EXPECT_EQ(transaction
                .exec1("SELECT (SELECT count(*) FROM bi.calls) ="
                       " (SELECT count(*) FROM call_summaries)")[0]
                .as<bool>(),
            true);
}

TEST_F(BiViewsTest, AbnormalSessionsAreTheCallsWithoutA200) {
  const long long abnormal = stored(day, "(properties ->> 'last_sip_response_num')::int <> 200");
  ASSERT_GT(abnormal, 0);
  EXPECT_LT(abnormal, stored(day));
  EXPECT_EQ(sum(run("07_abnormal_sessions_hourly", day), "calls"), abnormal);
  const pqxx::result by_code = run("08_abnormal_sessions_by_code", day);
  EXPECT_EQ(sum(by_code, "calls"), abnormal);
  for (const auto& row : by_code) {
    EXPECT_NE(row["last_sip_response_num"].as<int>(), 200);
    EXPECT_GT(row["pct_of_all_calls"].as<double>(), 0.0);
    EXPECT_LE(row["pct_of_all_calls"].as<double>(), 100.0);
  }
  EXPECT_NEAR(sum(by_code, "pct_of_all_calls"), 100.0 * abnormal / stored(day), 0.1);
  const pqxx::result latest = run("09_abnormal_sessions_latest", day);
  EXPECT_EQ(latest.size(), static_cast<std::size_t>(std::min<long long>(abnormal, 100)));
  std::string previous = "9999";
  for (const auto& row : latest) {
    EXPECT_NE(row["last_sip_response_num"].as<int>(), 200);
    const std::string start = row["start_time"].as<std::string>();
    EXPECT_LE(start, previous) << "newest first";
    previous = start;
  }
}

TEST_F(BiViewsTest, SyncHealthShowsEachSourceAsTheWorkItemsHaveIt) {
  const pqxx::result health = run("15_sync_health", day);
  ASSERT_EQ(health.size(), 2u);
  std::map<std::string, pqxx::row> by_source;
  for (const auto& row : health)
    by_source.emplace(row["source"].as<std::string>(), row);
  ASSERT_EQ(by_source.count("sim"), 1u);
  ASSERT_EQ(by_source.count("sim-2"), 1u);

  for (const auto& [source, row] : by_source) {
    SCOPED_TRACE(source);
    const std::string where = " FROM work_items WHERE source = " + pg->quote(source);
    EXPECT_EQ(row["windows_open"].as<long long>(),
              std::stoll(scalar("SELECT count(*)" + where + " AND state = 'open'")));
    EXPECT_EQ(row["windows_pending"].as<long long>(),
              std::stoll(scalar("SELECT count(*)" + where + " AND state = 'pending'")));
    EXPECT_EQ(row["windows_parked"].as<long long>(), 0);
    EXPECT_EQ(row["partial_backlog"].as<long long>(),
              std::stoll(scalar("SELECT count(*) FROM call_summaries WHERE source = " +
                                pg->quote(source) + " AND processing_state = 'partial'")));
    EXPECT_GT(row["partial_backlog"].as<long long>(), 0) << "the newest calls are partial";
  }
  // Everything read up to the last pass, just now.
  const pqxx::row& first = by_source.at("sim");
  EXPECT_GE(first["lag_seconds"].as<double>(), 0.0);
  EXPECT_LT(first["lag_seconds"].as<double>(), 300.0);
  EXPECT_TRUE(first["last_error"].is_null());
  EXPECT_GT(first["windows_open"].as<long long>(), 0);
  // The failing window was never read: the source is read through its start only, and its
  // error is the last one.
  const pqxx::row& second = by_source.at("sim-2");
  EXPECT_EQ(scalar("SELECT read_through = " + pg->quote(format_utc(failing_window)) +
                   "::timestamptz FROM bi.sync_health WHERE source = 'sim-2'"),
            "t");
  EXPECT_GE(second["lag_seconds"].as<double>(), duration<double>(now - failing_window).count());
  EXPECT_NE(second["last_error"].as<std::string>().find("injected"), std::string::npos);
  EXPECT_FALSE(second["last_error_at"].is_null());
  EXPECT_EQ(second["windows_pending"].as<long long>(), 1);
}

}  // namespace
}  // namespace insights
