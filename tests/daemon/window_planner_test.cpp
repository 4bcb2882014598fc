// The scheduler's pure decisions: which live windows to add, and what a finished pass means.
#include "daemon/window_planner.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;

// The fresh schedule, whose re-reads most of these tests follow.
SyncOptions options() {
  SyncOptions o;
  o.schedule = LiveSchedule::fresh;
  o.window_minutes = 60;
  o.initial_lookback_hours = 3;
  o.settle_after_minutes = 300;
  o.poll_interval_seconds = 60;
  o.reread_interval_seconds = 600;
  o.straggler_limit = 20;
  return o;
}

TEST(WindowPlanner, FirstStartCoversTheLookbackUpToTheWindowHoldingNow) {
  const auto windows = live_windows_to_add(std::nullopt, kTestNoon + minutes(25), options());
  ASSERT_EQ(windows.size(), 4u);
  EXPECT_EQ(windows.front().start, kTestNoon - hours(3));
  EXPECT_EQ(windows.back().start, kTestNoon);
  EXPECT_EQ(windows.back().end, kTestNoon + hours(1));
  for (std::size_t i = 1; i < windows.size(); ++i)
    EXPECT_EQ(windows[i].start, windows[i - 1].end);
}

TEST(WindowPlanner, ContinuesFromTheNewestWindowWithoutGapsOrOverlap) {
  EXPECT_TRUE(
      live_windows_to_add(kTestNoon + hours(1), kTestNoon + minutes(59), options()).empty());
  const auto windows = live_windows_to_add(kTestNoon + hours(1), kTestNoon + hours(2), options());
  ASSERT_EQ(windows.size(), 2u);  // the boundary instant belongs to the next window
  EXPECT_EQ(windows[0].start, kTestNoon + hours(1));
  EXPECT_EQ(windows[1].end, kTestNoon + hours(3));
}

TEST(WindowPlanner, WindowFloorAlignsToTheWindowLength) {
  SyncOptions o = options();
  o.window_minutes = 15;
  EXPECT_EQ(window_floor(kTestNoon + minutes(29) + seconds(59), o), kTestNoon + minutes(15));
  EXPECT_EQ(window_floor(UtcSeconds(seconds(-1)), o), UtcSeconds(seconds(-900)));
}

PassSummary pass(TimeWindow window, UtcSeconds started, UtcSeconds now, int rows, int partial) {
  PassSummary summary;
  summary.window = window;
  summary.pass_started = started;
  summary.now = now;
  summary.rows = rows;
  summary.partial_rows = partial;
  return summary;
}

const TimeWindow kWindow{kTestNoon, kTestNoon + hours(1)};

TEST(WindowPlanner, TheWindowHoldingNowIsPolledOften) {
  const auto decision = decide_after_pass(
      pass(kWindow, kTestNoon + minutes(10), kTestNoon + minutes(10), 5, 2), options());
  EXPECT_EQ(decision.action, AfterPass::keep_open);
  EXPECT_EQ(decision.next_due, kTestNoon + minutes(11));
}

TEST(WindowPlanner, WindowsHoldingPartialRowsAreReadWhenThoseAreDueToComplete) {
  PassSummary holding = pass(kWindow, kTestNoon + hours(2), kTestNoon + hours(2), 9, 2);
  holding.earliest_partial_end = kTestNoon + hours(1) + minutes(50);
  // Due at 13:50 + 35 min = 14:25, after the regular re-read at 14:10: the regular one stands.
  EXPECT_EQ(decide_after_pass(holding, options()).next_due, kTestNoon + hours(2) + minutes(10));
  SyncOptions slow = options();
  slow.reread_interval_seconds = 3600;
  EXPECT_EQ(decide_after_pass(holding, slow).next_due, kTestNoon + hours(2) + minutes(25));
  // Already overdue (Twilio is late): not sooner than a poll interval from now.
  holding.earliest_partial_end = kTestNoon;
  EXPECT_EQ(decide_after_pass(holding, slow).next_due, kTestNoon + hours(2) + minutes(1));
}

TEST(WindowPlanner, OlderOpenWindowsAreRereadUntilTheHorizonAndOnceRightAtIt) {
  const UtcSeconds horizon = kWindow.end + minutes(300);
  auto decision =
      decide_after_pass(pass(kWindow, kTestNoon + hours(2), kTestNoon + hours(2), 9, 0), options());
  EXPECT_EQ(decision.action, AfterPass::keep_open);  // no partials, but calls may still appear
  EXPECT_EQ(decision.next_due, kTestNoon + hours(2) + minutes(10));
  decision =
      decide_after_pass(pass(kWindow, horizon - minutes(3), horizon - minutes(3), 9, 0), options());
  EXPECT_EQ(decision.next_due, horizon);
}

TEST(WindowPlanner, APassThatBeganBeforeTheHorizonNeverSettles) {
  const UtcSeconds horizon = kWindow.end + minutes(300);
  const auto decision =
      decide_after_pass(pass(kWindow, horizon - seconds(1), horizon + minutes(1), 9, 0), options());
  EXPECT_EQ(decision.action, AfterPass::keep_open);
  EXPECT_EQ(decision.next_due, horizon + minutes(1));
}

TEST(WindowPlanner, TheDefaultScheduleIsLive) {
  EXPECT_EQ(SyncOptions{}.schedule, LiveSchedule::live);
  EXPECT_EQ(SyncOptions{}.first_read_after_minutes, 40);
  EXPECT_EQ(SyncOptions{}.edge_poll_seconds, 80);
  EXPECT_EQ(SyncOptions{}.completion_read_seconds, 180);
}

SyncOptions economical() {
  SyncOptions o = options();
  o.schedule = LiveSchedule::economical;
  o.first_read_after_minutes = 40;
  return o;
}

TEST(WindowPlanner, EconomicalReadsAWindowFirstWhenItsCallsHaveEndedAndCompleted) {
  // Planned while it holds "now": first read 40 minutes after its end.
  EXPECT_EQ(first_read_due(kWindow, kTestNoon + minutes(25), economical()),
            kWindow.end + minutes(40));
  // An older window (the lookback, or one the daemon was down for): at once.
  EXPECT_EQ(first_read_due(kWindow, kWindow.end + minutes(40), economical()),
            kWindow.end + minutes(40));
  EXPECT_EQ(first_read_due(kWindow, kTestNoon + hours(9), economical()), kTestNoon + hours(9));
  // Fresh: at once, whatever the window.
  EXPECT_EQ(first_read_due(kWindow, kTestNoon + minutes(25), options()), kTestNoon + minutes(25));
}

TEST(WindowPlanner, EconomicalReadsOnceMoreAtTheHorizonWhateverTheFirstReadFound) {
  const UtcSeconds horizon = kWindow.end + minutes(300);
  const UtcSeconds first_read = kWindow.end + minutes(40);
  for (const int partial : {0, 1, 500}) {
    PassSummary first = pass(kWindow, first_read, first_read + seconds(2), 900, partial);
    first.earliest_partial_end = kWindow.end;  // due at 13:35: no earlier re-read for it
    const auto decision = decide_after_pass(first, economical());
    EXPECT_EQ(decision.action, AfterPass::keep_open) << partial << " partial";
    EXPECT_EQ(decision.next_due, horizon) << partial << " partial";
  }
  // The pass at the horizon follows the rules every schedule shares: settle, or stragglers.
  EXPECT_EQ(decide_after_pass(pass(kWindow, horizon, horizon, 900, 0), economical()).action,
            AfterPass::settle);
  EXPECT_EQ(decide_after_pass(pass(kWindow, horizon, horizon, 5000, 2), economical()).action,
            AfterPass::fetch_stragglers);
  // A pass that began before the horizon but ended after it reads again at once.
  EXPECT_EQ(decide_after_pass(pass(kWindow, horizon - seconds(1), horizon + seconds(5), 900, 0),
                              economical())
                .next_due,
            horizon + seconds(5));
}

TEST(WindowPlanner, APartialRowIsOverdueOnceTheScheduleShouldHaveSeenItComplete) {
  EXPECT_EQ(overdue_partial_after(options()), minutes(35));  // the completion delay
  // Economical: read again only at the horizon of the window the call started in.
  EXPECT_EQ(overdue_partial_after(economical()), minutes(60 + 300));
  // Live: the completion delay, then a poll (80 s) and a completion read (180 s) rounded up to
  // 5 minutes, and 5 minutes for them to run.
  SyncOptions live = economical();
  live.schedule = LiveSchedule::live;
  EXPECT_EQ(overdue_partial_after(live), minutes(35 + 5 + 5));
}

TEST(WindowPlanner, LiveReadsWindowsAsEconomicalDoes) {
  SyncOptions live = economical();
  live.schedule = LiveSchedule::live;
  EXPECT_EQ(first_read_due(kWindow, kTestNoon + minutes(25), live), kWindow.end + minutes(40));
  const UtcSeconds first_read = kWindow.end + minutes(40);
  PassSummary first = pass(kWindow, first_read, first_read + seconds(2), 900, 12);
  first.earliest_partial_end = kWindow.end;
  const auto decision = decide_after_pass(first, live);
  EXPECT_EQ(decision.action, AfterPass::keep_open);
  EXPECT_EQ(decision.next_due, kWindow.end + minutes(300));  // the horizon, nothing sooner
  EXPECT_EQ(promised_lag(live), promised_lag(economical()));
}

TEST(WindowPlanner, SettlesAfterTheHorizonWhenNothingIsPartial) {
  const UtcSeconds horizon = kWindow.end + minutes(300);
  EXPECT_EQ(decide_after_pass(pass(kWindow, horizon, horizon, 9, 0), options()).action,
            AfterPass::settle);
}

TEST(WindowPlanner, ASettledWindowIsReadForAnnotationsDailyThenWeeklyUntilRetention) {
  const UtcSeconds horizon = kWindow.end + minutes(300);
  const UtcSeconds last = kWindow.start + days(30) - hours(1);
  // Three reads a day apart, three a week apart, one an hour before Twilio drops the calls.
  const std::vector<UtcSeconds> expected = {horizon + hours(24),
                                            horizon + hours(48),
                                            horizon + hours(72),
                                            horizon + hours(72) + days(7),
                                            horizon + hours(72) + days(14),
                                            horizon + hours(72) + days(21),
                                            last};
  auto decision = decide_after_pass(pass(kWindow, horizon, horizon, 9, 0), options());
  EXPECT_EQ(decision.action, AfterPass::settle);
  std::vector<UtcSeconds> passes;
  while (!decision.annotation_pass_done && passes.size() < 20) {
    passes.push_back(decision.next_due);
    PassSummary annotation = pass(kWindow, decision.next_due, decision.next_due + minutes(1), 9, 0);
    annotation.annotation_pass = true;
    decision = decide_after_pass(annotation, options());
    EXPECT_EQ(decision.action, AfterPass::settle);
  }
  EXPECT_EQ(passes, expected);
  // The longest wait for an edit: a day in the first three, then at most a week.
  for (std::size_t i = 1; i < passes.size(); ++i)
    EXPECT_LE(passes[i] - passes[i - 1], i < 3 ? hours(24) : days(7)) << i;

  SyncOptions without = options();
  without.annotation_pass_after_hours = 0;
  EXPECT_TRUE(
      decide_after_pass(pass(kWindow, horizon, horizon, 9, 0), without).annotation_pass_done);
  SyncOptions daily_only = options();
  daily_only.annotation_pass_interval_days = 0;
  EXPECT_FALSE(next_annotation_pass(kWindow, horizon + hours(72), daily_only).has_value());
  EXPECT_EQ(next_annotation_pass(kWindow, horizon + hours(71), daily_only), horizon + hours(72));
}

TEST(WindowPlanner, AFirstReadOfAnOldWindowWaitsForTheNextAnnotationPassOnly) {
  // A backfill of a week-old window: its first pass saw every edit so far; the next read is the
  // first of the schedule after it, not the ones it has passed.
  const UtcSeconds week_later = kWindow.end + days(7);
  auto decision = decide_after_pass(pass(kWindow, week_later, week_later, 9, 0), options());
  EXPECT_EQ(decision.action, AfterPass::settle);
  EXPECT_FALSE(decision.annotation_pass_done);
  EXPECT_EQ(decision.next_due, kWindow.end + minutes(300) + hours(72) + days(7));
  // Read after the last one was due (an hour before retention): nothing more to read.
  const UtcSeconds late = kWindow.start + days(30) - minutes(30);
  decision = decide_after_pass(pass(kWindow, late, late, 9, 0), options());
  EXPECT_TRUE(decision.annotation_pass_done);
}

TEST(WindowPlanner, ABusyWindowIsSplitIntoWholeMinutePiecesThatCoverItExactly) {
  SyncOptions o = options();
  o.split_above_pages = 4;
  // The first page of 1000 calls spans 3 minutes of a 60-minute window: ~20 pages.
  const auto pieces =
      split_busy_window(kWindow, kWindow.start, kWindow.start + minutes(3), 1000, o);
  ASSERT_EQ(pieces.size(), 5u);  // ceil(20 / 4)
  EXPECT_EQ(pieces.front().start, kWindow.start);
  EXPECT_EQ(pieces.back().end, kWindow.end);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    EXPECT_EQ(pieces[i].end - pieces[i].start, minutes(12));
    if (i > 0) {
      EXPECT_EQ(pieces[i].start, pieces[i - 1].end);
    }
  }
}

TEST(WindowPlanner, UnevenPiecesStillCoverTheWindowAndTheLastIsShorter) {
  SyncOptions o = options();
  o.split_above_pages = 1;
  // 1000 calls in 8m35s: 6.99 pages → 7 pieces of ceil(60 / 7) = 9 minutes; the last is 6.
  const auto pieces = split_busy_window(kWindow, kWindow.start + minutes(1),
                                        kWindow.start + minutes(9) + seconds(35), 1000, o);
  ASSERT_EQ(pieces.size(), 7u);
  EXPECT_EQ(pieces.back().start, kWindow.start + minutes(54));
  EXPECT_EQ(pieces.back().end, kWindow.end);
}

TEST(WindowPlanner, WindowsWithinTheThresholdOrTooShortStayWhole) {
  SyncOptions o = options();
  o.split_above_pages = 4;
  // 1000 calls over 20 minutes: 3 pages, within the threshold.
  EXPECT_TRUE(
      split_busy_window(kWindow, kWindow.start, kWindow.start + minutes(20), 1000, o).empty());
  // A one-minute window cannot be cut into whole minutes.
  const TimeWindow minute{kWindow.start, kWindow.start + minutes(1)};
  EXPECT_TRUE(split_busy_window(minute, minute.start, minute.start, 1000, o).empty());
  o.split_above_pages = 0;  // disabled
  EXPECT_TRUE(split_busy_window(kWindow, kWindow.start, kWindow.start, 1000, o).empty());
}

TEST(WindowPlanner, CallsThatStartedBeforeTheWindowDoNotHideHowBusyItIs) {
  SyncOptions o = options();
  o.split_above_pages = 4;
  // Found by end time: the first page reaches back hours, but covers 3 minutes of the window.
  const auto pieces =
      split_busy_window(kWindow, kWindow.start - hours(3), kWindow.start + minutes(3), 1000, o);
  EXPECT_EQ(pieces.size(), 5u);
}

TEST(WindowPlanner, OneRowOnAPageSaysNothingAboutARateAndNeverSplits) {
  SyncOptions o = options();
  o.split_above_pages = 4;
  // A server that answers one item a page, whatever PageSize asks: splitting on "one page per
  // second" would cut the hour into 60 windows and spend a request on each for a handful of calls.
  EXPECT_TRUE(
      split_busy_window(kWindow, kWindow.start + minutes(7), kWindow.start + minutes(7), 1, o)
          .empty());
  EXPECT_TRUE(split_busy_window(kWindow, kWindow.start, kWindow.start, 1, o).empty());
}

TEST(WindowPlanner, TheEstimateCountsTheRowsAPageReallyHeldNotThePageSizeAsked) {
  SyncOptions o = options();
  o.split_above_pages = 4;
  // Two items a page, a minute apart: about 60 calls in the hour, 30 pages of two, so
  // ceil(30 / 4) = 8 pieces (reading the page as full would say 60 pages and 15 pieces).
  EXPECT_EQ(split_busy_window(kWindow, kWindow.start, kWindow.start + minutes(1), 2, o).size(), 8u);
  // Two items twenty minutes apart: about 3 calls, 1.5 pages, within the threshold.
  EXPECT_TRUE(split_busy_window(kWindow, kWindow.start, kWindow.start + minutes(20), 2, o).empty());
}

TEST(WindowPlanner, ABurstInOneSecondSplitsIntoAtMostThePieceCap) {
  SyncOptions o = options();
  o.split_above_pages = 4;
  const TimeWindow day{kWindow.start, kWindow.start + hours(24)};
  const auto pieces = split_busy_window(day, day.start, day.start, 1000, o);
  ASSERT_EQ(pieces.size(), 32u);
  EXPECT_EQ(pieces.back().end, day.end);
}

TEST(WindowPlanner, FetchesStragglersOnlyWhenThatCostsFewerRequests) {
  const UtcSeconds late = kWindow.end + hours(6);
  // 3 pages to re-read, 2 stragglers: two single fetches are cheaper.
  EXPECT_EQ(decide_after_pass(pass(kWindow, late, late, 2500, 2), options()).action,
            AfterPass::fetch_stragglers);
  // One page re-reads everything; a single fetch per straggler cannot be cheaper.
  EXPECT_EQ(decide_after_pass(pass(kWindow, late, late, 900, 1), options()).action,
            AfterPass::keep_open);
  // More stragglers than straggler_limit: re-read.
  EXPECT_EQ(decide_after_pass(pass(kWindow, late, late, 50000, 21), options()).action,
            AfterPass::keep_open);
  SyncOptions off = options();
  off.straggler_limit = 0;
  EXPECT_EQ(decide_after_pass(pass(kWindow, late, late, 2500, 2), off).action,
            AfterPass::keep_open);
}

TEST(WindowPlanner, PartialsThatRetentionWillDropAreExpiredNotRetriedForever) {
  const UtcSeconds almost_gone = kWindow.start + days(30) - minutes(5);
  EXPECT_EQ(decide_after_pass(pass(kWindow, almost_gone, almost_gone, 10, 3), options()).action,
            AfterPass::expire_partials);
  const UtcSeconds earlier = kWindow.start + days(29);
  EXPECT_EQ(decide_after_pass(pass(kWindow, earlier, earlier, 10, 3), options()).action,
            AfterPass::keep_open);
}

TEST(WindowPlanner, AParkedWindowIsTriedAgainAfterTheRetryTimeOrNeverWhenItIsZero) {
  SyncOptions o = options();
  EXPECT_EQ(parked_retry_due(kTestNoon, o), kTestNoon + hours(1));  // the default: an hour
  o.parked_retry_seconds = 90;
  EXPECT_EQ(parked_retry_due(kTestNoon, o), kTestNoon + seconds(90));
  o.parked_retry_seconds = 0;
  EXPECT_EQ(parked_retry_due(kTestNoon, o), kNeverDue);
  EXPECT_EQ(format_utc(kNeverDue), "9999-12-31T00:00:00Z");  // a time Postgres stores as such
}

}  // namespace
}  // namespace insights
