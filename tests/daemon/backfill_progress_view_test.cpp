// The backfill progress display: the bar and its figures, redraws in place on a terminal.
#include "daemon/backfill_progress_view.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace insights {
namespace {

using namespace std::chrono;

BackfillProgress progress(long long done, long long windows, long long rows) {
  BackfillProgress p;
  p.id = 7;
  p.source = "main";
  p.range = {sys_days(year(2026) / 11 / 1), sys_days(year(2026) / 11 / 2)};
  p.windows = windows;
  p.windows_done = done;
  p.rows = rows;
  return p;
}

TEST(BackfillProgressView, TheBarShowsWindowsRowsRateAndEta) {
  EXPECT_EQ(
      describe_backfill(progress(6, 24, 12000), {.rows_per_second = 1500.4, .eta_seconds = 95}, 20),
      "[#####...............] 6/24 windows  12000 rows  1500 rows/s  ETA 1:35");
  EXPECT_EQ(describe_backfill(progress(0, 24, 0), {}, 4),
            "[....] 0/24 windows  0 rows  0 rows/s  ETA ?");
  EXPECT_EQ(describe_backfill(progress(24, 24, 48000), {.rows_per_second = 0, .eta_seconds = 0}, 4),
            "[####] 24/24 windows  48000 rows  0 rows/s  done");
  BackfillProgress parked = progress(3, 24, 100);
  parked.windows_parked = 2;
  EXPECT_NE(describe_backfill(parked, {}, 4).find("2 parked"), std::string::npos);
  EXPECT_NE(describe_backfill(progress(1, 2, 0), {.rows_per_second = 0, .eta_seconds = 3725}, 4)
                .find("ETA 1:02:05"),
            std::string::npos);
}

TEST(BackfillProgressView, RatesAndEtaComeFromWhatHappenedSinceTheFirstLook) {
  std::ostringstream out;
  BackfillProgressView view(out, true, seconds(10));
  const auto start = steady_clock::time_point{} + hours(1);
  view.show({progress(2, 12, 1000)}, start);
  EXPECT_NE(out.str().find("ETA ?"), std::string::npos) << out.str();
  view.show({progress(4, 12, 5000)}, start + seconds(10));
  // 4000 rows in 10 s; 2 windows in 10 s, 8 left: 40 s.
  EXPECT_NE(out.str().find("400 rows/s  ETA 0:40"), std::string::npos) << out.str();
}

TEST(BackfillProgressView, OnATerminalEachRedrawGoesBackOverThePreviousLines) {
  std::ostringstream out;
  BackfillProgressView view(out, true, seconds(10));
  const auto start = steady_clock::time_point{} + hours(1);
  view.show({progress(1, 4, 10), progress(0, 4, 0)}, start);
  EXPECT_EQ(out.str().find("\x1b[4F"), std::string::npos);  // nothing to go back over yet
  view.show({progress(2, 4, 20), progress(1, 4, 10)}, start + seconds(1));
  EXPECT_NE(out.str().find("\x1b[4F"), std::string::npos) << "two lines per backfill";
  EXPECT_NE(out.str().find("backfill #7 main 2026-11-01T00:00:00Z..2026-11-02T00:00:00Z"),
            std::string::npos);
}

}  // namespace
}  // namespace insights
