// `insights-sync status` reads the sync state back from PostgreSQL: windows by state,
// watermark, partial backlog (and what is overdue), last error, leases; as text and JSON.
#include "daemon/status_report.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <pqxx/nontransaction>
#include <sstream>

#include "api/page_parser.hpp"
#include "sink/backfill_requests.hpp"
#include "sink/pg_sink.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;

class StatusReportTest : public testing::PgTest {
 protected:
  void exec(const std::string& sql) { pqxx::nontransaction(*pg).exec0(sql); }
};

TEST_F(StatusReportTest, ReportsWindowsBacklogErrorsAndLeases) {
  const long long settled =
      create_work_item("main", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z");
  const long long open = create_work_item("main", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z");
  const long long pending =
      create_work_item("main", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z");
  exec("UPDATE work_items SET state = 'settled', passes_completed = 2 WHERE id = " +
       std::to_string(settled));
  exec(
      "UPDATE work_items SET state = 'open', passes_completed = 1, lease_owner = 'worker-1',"
      " lease_expires_at = '2026-11-20T12:01:00Z' WHERE id = " +
      std::to_string(open));
  (void)pending;
  exec("UPDATE sources SET account_sid = 'AC00000000000000000000000000000001'");

  PgSink sink(PgSinkOptions{.conninfo = db->conninfo(), .before_step = {}});
  const std::string ended_long_ago = R"("end_time": "2026-11-20T10:30:00Z")";
  const std::string ended_just_now = R"("end_time": "2026-11-20T11:55:00Z")";
  sink.commit_page({open, 1, std::nullopt, std::string("worker-1")},
                   parse_summaries_page(testing::page_json(
                       {testing::summary_json(testing::call_sid(1), "partial", ended_long_ago),
                        testing::summary_json(testing::call_sid(2), "partial", ended_just_now),
                        testing::summary_json(testing::call_sid(3), "complete")})));
  // A later failure (a committed page clears the error).
  exec(
      "UPDATE work_items SET last_error = 'HTTP 503', last_error_at = '2026-11-20T11:59:00Z'"
      " WHERE id = " +
      std::to_string(open));

  SyncOptions fresh;
  fresh.schedule = LiveSchedule::fresh;
  const auto sources = read_status(*pg, kTestNoon, fresh);
  ASSERT_EQ(sources.size(), 1u);
  const SourceStatus& status = sources[0];
  EXPECT_EQ(status.name, "main");
  EXPECT_EQ(status.windows_settled, 1);
  EXPECT_EQ(status.windows_open, 1);
  EXPECT_EQ(status.windows_pending, 1);
  EXPECT_EQ(status.watermark, "2026-11-20T11:00:00Z");  // the pending window was never read
  EXPECT_EQ(status.oldest_unsettled_window, "2026-11-20T10:00:00Z");
  EXPECT_EQ(status.rows, 3);
  EXPECT_EQ(status.partial_rows, 2);
  EXPECT_EQ(status.overdue_partial_rows, 1);  // ended more than 35 minutes before kTestNoon
  EXPECT_EQ(status.last_error, "HTTP 503");
  EXPECT_EQ(status.last_error_window, "2026-11-20T10:00:00Z");
  EXPECT_EQ(status.instances, std::vector<std::string>{"worker-1"});

  std::ostringstream json;
  print_status_json(json, sources);
  rapidjson::Document document;
  document.Parse(json.str().c_str());
  ASSERT_FALSE(document.HasParseError()) << json.str();
  const auto& source = document["sources"][0];
  EXPECT_STREQ(source["name"].GetString(), "main");
  EXPECT_EQ(source["windows"]["settled"].GetInt(), 1);
  EXPECT_EQ(source["overdue_partial_rows"].GetInt(), 1);
  EXPECT_STREQ(source["last_error"]["message"].GetString(), "HTTP 503");

  std::ostringstream text;
  print_status_text(text, sources);
  EXPECT_NE(text.str().find("1 settled, 1 open, 1 pending, 0 parked"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("worker-1"), std::string::npos) << text.str();

  // The economical schedule reads the 10:00 window again only at its horizon (16:00): the row
  // that ended at 10:30 is not overdue before 16:30.
  SyncOptions economical;
  economical.schedule = LiveSchedule::economical;
  EXPECT_EQ(read_status(*pg, kTestNoon, economical)[0].overdue_partial_rows, 0);
  EXPECT_EQ(
      read_status(*pg, kTestNoon + hours(4) + minutes(31), economical)[0].overdue_partial_rows, 1);
  // The live schedule (the default) polls the edge: 45 minutes after the call's end it is late.
  EXPECT_EQ(read_status(*pg, kTestNoon - hours(1) - minutes(30) + minutes(44), SyncOptions{})[0]
                .overdue_partial_rows,
            0);
  EXPECT_EQ(read_status(*pg, kTestNoon - hours(1) - minutes(30) + minutes(46), SyncOptions{})[0]
                .overdue_partial_rows,
            1);
}

TEST_F(StatusReportTest, ShowsEachBackfillWithItsProgress) {
  create_work_item("main", "2026-11-19T00:00:00Z", "2026-11-19T01:00:00Z");
  const auto backfill =
      enqueue_backfill(*pg, BackfillSpec{.source = "main",
                                         .range = {kTestNoon - hours(40), kTestNoon - hours(36)},
                                         .window_minutes = 60,
                                         .now = kTestNoon,
                                         .requested_by = "ops"});
  exec(
      "UPDATE work_items SET passes_completed = 1, pass_rows = 250"
      " WHERE window_start = '2026-11-18T20:00:00Z'");
  const auto sources = read_status(*pg, kTestNoon, SyncOptions{});
  ASSERT_EQ(sources.size(), 1u);
  ASSERT_EQ(sources[0].backfills.size(), 1u);
  EXPECT_EQ(sources[0].backfills[0].id, backfill.id);
  EXPECT_EQ(sources[0].backfills[0].windows, 4);
  EXPECT_EQ(sources[0].backfills[0].windows_done, 1);
  EXPECT_EQ(sources[0].backfills[0].rows, 250);

  std::ostringstream text;
  print_status_text(text, sources);
  EXPECT_NE(text.str().find("2026-11-18T20:00:00Z .. 2026-11-19T00:00:00Z: 1/4 windows, 250 rows;"
                            " requested 2026-11-20T12:00:00Z by ops"),
            std::string::npos)
      << text.str();
  std::ostringstream json;
  print_status_json(json, sources);
  rapidjson::Document document;
  document.Parse(json.str().c_str());
  ASSERT_FALSE(document.HasParseError()) << json.str();
  const auto& entry = document["sources"][0]["backfills"][0];
  EXPECT_EQ(entry["windows_done"].GetInt(), 1);
  EXPECT_FALSE(entry["done"].GetBool());
  EXPECT_STREQ(entry["from"].GetString(), "2026-11-18T20:00:00Z");
}

// How fresh each source's data is from the calls' side: its newest call's start and age, per
// source, and none for a source without rows.
TEST_F(StatusReportTest, ShowsEachSourcesNewestCallAndItsAge) {
  const long long busy = create_work_item("busy", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z");
  const long long quiet = create_work_item("quiet", "2026-11-19T08:00:00Z", "2026-11-19T09:00:00Z");
  create_work_item("empty", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z");
  PgSink sink(PgSinkOptions{.conninfo = db->conninfo(), .before_step = {}});
  sink.commit_page({busy, 0, std::nullopt, std::nullopt},
                   parse_summaries_page(testing::page_json(
                       {testing::summary_json(testing::call_sid(1), "partial",
                                              testing::started_at("2026-11-20T11:58:20Z")),
                        testing::summary_json(testing::call_sid(2), "complete",
                                              testing::started_at("2026-11-20T11:20:00Z"))})));
  sink.commit_page(
      {quiet, 0, std::nullopt, std::nullopt},
      parse_summaries_page(testing::page_json({testing::summary_json(
          testing::call_sid(3), "complete", testing::started_at("2026-11-19T08:30:00Z"))})));

  const auto sources = read_status(*pg, kTestNoon, SyncOptions{});
  ASSERT_EQ(sources.size(), 3u);  // by name
  EXPECT_EQ(sources[0].name, "busy");
  EXPECT_EQ(sources[0].newest_call_start, "2026-11-20T11:58:20Z");
  EXPECT_EQ(sources[0].newest_call_age_seconds, 100);
  EXPECT_EQ(sources[1].name, "empty");
  EXPECT_EQ(sources[1].newest_call_start, std::nullopt);
  EXPECT_EQ(sources[1].newest_call_age_seconds, std::nullopt);
  EXPECT_EQ(sources[2].name, "quiet");
  EXPECT_EQ(sources[2].newest_call_start, "2026-11-19T08:30:00Z");
  EXPECT_EQ(sources[2].newest_call_age_seconds, 27 * 3600 + 30 * 60);

  std::ostringstream text;
  print_status_text(text, sources);
  const std::string report = text.str();
  EXPECT_NE(report.find("  newest call:        2026-11-20T11:58:20Z (started 100 s ago)\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("  newest call:        2026-11-19T08:30:00Z (started 27 h 30 min ago)\n"),
            std::string::npos)
      << report;
  const auto empty = report.find("source empty ");
  ASSERT_NE(empty, std::string::npos) << report;
  EXPECT_NE(report.find("  newest call:        -\n", empty), std::string::npos) << report;

  std::ostringstream json;
  print_status_json(json, sources);
  rapidjson::Document document;
  document.Parse(json.str().c_str());
  ASSERT_FALSE(document.HasParseError()) << json.str();
  const auto& listed = document["sources"];
  EXPECT_STREQ(listed[0]["newest_call_start"].GetString(), "2026-11-20T11:58:20Z");
  EXPECT_EQ(listed[0]["newest_call_age_seconds"].GetInt64(), 100);
  EXPECT_TRUE(listed[1]["newest_call_start"].IsNull());
  EXPECT_TRUE(listed[1]["newest_call_age_seconds"].IsNull());
  EXPECT_STREQ(listed[2]["newest_call_start"].GetString(), "2026-11-19T08:30:00Z");
  EXPECT_EQ(listed[2]["newest_call_age_seconds"].GetInt64(), 27 * 3600 + 30 * 60);
}

TEST_F(StatusReportTest, AnEmptyWarehouseSaysSo) {
  const auto sources = read_status(*pg, kTestNoon, SyncOptions{});
  EXPECT_TRUE(sources.empty());
  std::ostringstream text;
  print_status_text(text, sources);
  EXPECT_NE(text.str().find("no sources"), std::string::npos);
}

}  // namespace
}  // namespace insights
