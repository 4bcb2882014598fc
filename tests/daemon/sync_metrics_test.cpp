// The warehouse gauges of SyncMetrics, set from a census at each scrape: a source without
// partial rows reads 0 (not "no data"), and a backlog that is gone reads 0 at the next scrape.
#include "daemon/sync_metrics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace insights {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SyncMetrics, EverySourceWithWindowsHasAPartialBacklogZeroWhenItHasNone) {
  SyncMetrics metrics("1.0", "abc");
  const UtcSeconds now{std::chrono::seconds(1'800'000'000)};
  WarehouseCensus census;
  census.work_items = {{"quiet", "live", "open", 3}, {"busy", "live", "open", 2}};
  census.partial_rows = {{"busy", 7}};
  metrics.warehouse(census, now, std::chrono::seconds(6300));
  std::string text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_partial_rows{source=\"quiet\"} 0\n")) << text;
  EXPECT_TRUE(contains(text, "insights_partial_rows{source=\"busy\"} 7\n")) << text;

  census.partial_rows.clear();
  metrics.warehouse(census, now, std::chrono::seconds(6300));
  text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_partial_rows{source=\"busy\"} 0\n")) << text;
}

// Several instances on one database: only the exporter has the warehouse gauges, so a sum()
// over instances counts each window once; an instance that stops exporting drops them.
TEST(SyncMetrics, OnlyTheExporterHasTheWarehouseGauges) {
  SyncMetrics metrics("1.0", "abc");
  const UtcSeconds now{std::chrono::seconds(1'800'000'000)};
  WarehouseCensus census;
  census.work_items = {{"main", "live", "parked", 2}};
  census.overdue_partial_rows = {{"main", 3}};
  census.read_through = {{"main", now - std::chrono::minutes(50)}};
  metrics.warehouse(census, now, std::chrono::seconds(6300));
  std::string text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_warehouse_exporter 1\n")) << text;
  EXPECT_TRUE(
      contains(text, "insights_work_items{kind=\"live\",source=\"main\",state=\"parked\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text, "insights_overdue_partial_rows{source=\"main\"} 3\n")) << text;
  EXPECT_TRUE(contains(text, "insights_source_lag_seconds{source=\"main\"} 3000\n")) << text;
  EXPECT_TRUE(contains(text, "insights_source_lag_promised_seconds{source=\"main\"} 6300\n"))
      << text;

  metrics.no_warehouse();
  text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_warehouse_exporter 0\n")) << text;
  for (const char* name : {"insights_work_items{", "insights_partial_rows{",
                           "insights_overdue_partial_rows{", "insights_source_lag_seconds{"}) {
    EXPECT_FALSE(contains(text, name)) << name << "\n" << text;
  }
}

// The newest call landed, per source: its age at the scrape; no series for a source without
// rows (an age of 0 would read as "just now"), also when its rows are gone since the last scrape.
TEST(SyncMetrics, TheNewestCallsAgeIsPerSourceAndAbsentWithoutRows) {
  SyncMetrics metrics("1.0", "abc");
  const UtcSeconds now{std::chrono::seconds(1'800'000'000)};
  WarehouseCensus census;
  census.work_items = {
      {"busy", "live", "open", 1}, {"quiet", "live", "open", 1}, {"empty", "live", "pending", 1}};
  census.newest_call_start = {{"busy", now - std::chrono::seconds(90)},
                              {"quiet", now - std::chrono::hours(3)}};
  metrics.warehouse(census, now, std::chrono::seconds(6300));
  std::string text = metrics.serialize();
  EXPECT_TRUE(contains(text, "# HELP insights_source_newest_call_age_seconds ")) << text;
  EXPECT_TRUE(contains(text, "insights_source_newest_call_age_seconds{source=\"busy\"} 90\n"))
      << text;
  EXPECT_TRUE(contains(text, "insights_source_newest_call_age_seconds{source=\"quiet\"} 10800\n"))
      << text;
  EXPECT_FALSE(contains(text, "insights_source_newest_call_age_seconds{source=\"empty\"}")) << text;

  // A minute later quiet's rows are gone (retention): busy ages, quiet has no series.
  census.newest_call_start.erase("quiet");
  metrics.warehouse(census, now + std::chrono::minutes(1), std::chrono::seconds(6300));
  text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_source_newest_call_age_seconds{source=\"busy\"} 150\n"))
      << text;
  EXPECT_FALSE(contains(text, "insights_source_newest_call_age_seconds{source=\"quiet\"}")) << text;

  metrics.no_warehouse();
  EXPECT_FALSE(contains(metrics.serialize(), "insights_source_newest_call_age_seconds{")) << text;
}

// An idle instance (another one holds every window) still shows each series of its sources,
// from the start: 0 counters, seconds since it started, not refused.
TEST(SyncMetrics, EverySeriesOfASourceExistsFromItsStart) {
  SyncMetrics metrics("1.0", "abc");
  metrics.source_started("main", 4);
  const std::string text = metrics.serialize();
  for (const char* series :
       {"insights_pages_fetched_total{source=\"main\"} 0\n",
        "insights_rows_fetched_total{source=\"main\"} 0\n",
        "insights_rows_written_total{outcome=\"inserted\",source=\"main\"} 0\n",
        "insights_rows_written_total{outcome=\"downgrade_refused\",source=\"main\"} 0\n",
        "insights_retries_total{source=\"main\"} 0\n", "insights_concurrency{source=\"main\"} 4\n",
        "insights_source_refused{source=\"main\"} 0\n",
        "insights_seconds_since_last_commit{source=\"main\"} ", "insights_ready 0\n"}) {
    EXPECT_TRUE(contains(text, series)) << series << "\n" << text;
  }
}

// A source a reload removed leaves no series behind (its time since the last commit would grow
// until an alert fired for a source nobody syncs); the other sources keep theirs.
TEST(SyncMetrics, ARemovedSourceLeavesNoSeries) {
  SyncMetrics metrics("1.0", "abc");
  metrics.source_started("gone", 4);
  metrics.source_started("kept", 4);
  metrics.request("gone", 200);
  metrics.request("gone", 429, 20429);
  metrics.refused("gone", true);
  metrics.source_removed("gone");
  const std::string text = metrics.serialize();
  EXPECT_FALSE(contains(text, "source=\"gone\"")) << text;
  EXPECT_TRUE(contains(text, "insights_seconds_since_last_commit{source=\"kept\"}")) << text;
}

}  // namespace
}  // namespace insights
