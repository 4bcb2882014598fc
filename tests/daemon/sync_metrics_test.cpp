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
  metrics.warehouse(census, now);
  std::string text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_partial_rows{source=\"quiet\"} 0\n")) << text;
  EXPECT_TRUE(contains(text, "insights_partial_rows{source=\"busy\"} 7\n")) << text;

  census.partial_rows.clear();
  metrics.warehouse(census, now);
  text = metrics.serialize();
  EXPECT_TRUE(contains(text, "insights_partial_rows{source=\"busy\"} 0\n")) << text;
}

}  // namespace
}  // namespace insights
