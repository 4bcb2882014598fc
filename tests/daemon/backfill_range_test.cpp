// `backfill --from/--to`: the time forms, and how a range is checked, clamped and aligned.
#include "daemon/backfill_range.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

using namespace std::chrono;

const UtcSeconds kNow = sys_days(year(2026) / 11 / 29) + hours(2) + minutes(17) + seconds(5);

SyncOptions hourly() {
  SyncOptions o;
  o.window_minutes = 60;
  return o;
}

TEST(BackfillTime, AgesCountBackFromNow) {
  EXPECT_EQ(parse_backfill_time("7d", "--from", kNow), kNow - days(7));
  EXPECT_EQ(parse_backfill_time("12h", "--from", kNow), kNow - hours(12));
  EXPECT_EQ(parse_backfill_time("90m", "--from", kNow), kNow - minutes(90));
  EXPECT_EQ(parse_backfill_time("2w", "--from", kNow), kNow - weeks(2));
  EXPECT_EQ(parse_backfill_time("30s", "--from", kNow), kNow - seconds(30));
  EXPECT_EQ(parse_backfill_time("0m", "--to", kNow), kNow);
  EXPECT_EQ(parse_backfill_time("now", "--to", kNow), kNow);
}

TEST(BackfillTime, InstantsAndDatesAreUtc) {
  EXPECT_EQ(parse_backfill_time("2026-11-01T06:30:00Z", "--from", kNow),
            sys_days(year(2026) / 11 / 1) + hours(6) + minutes(30));
  EXPECT_EQ(parse_backfill_time("2026-11-01T06:30:00+02:00", "--from", kNow),
            sys_days(year(2026) / 11 / 1) + hours(4) + minutes(30));
  EXPECT_EQ(parse_backfill_time("2026-11-01", "--from", kNow), sys_days(year(2026) / 11 / 1));
}

TEST(BackfillTime, AnythingElseIsAnErrorNamingTheFlagAndTheForms) {
  for (const char* bad : {"", "7", "d", "7x", "-7d", "7.5d", "yesterday", "2026-13-01",
                          "2026-11-01T25:00:00Z", "99999999d"}) {
    try {
      parse_backfill_time(bad, "--from", kNow);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const BackfillRangeError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("--from \"" + std::string(bad) + "\""), std::string::npos) << message;
      EXPECT_NE(message.find("7d"), std::string::npos) << message;
    }
  }
}

TEST(BackfillRange, IsAlignedOutwardToWholeWindows) {
  const auto result = resolve_backfill_range(kNow - days(3), kNow, kNow, hourly());
  EXPECT_TRUE(result.warnings.empty());
  EXPECT_EQ(result.range.start, kNow - days(3) - minutes(17) - seconds(5));
  // The window holding `now` is included.
  EXPECT_EQ(result.range.end, kNow - minutes(17) - seconds(5) + hours(1));
}

TEST(BackfillRange, ReversedAndEmptyRangesAreErrors) {
  EXPECT_THROW(resolve_backfill_range(kNow, kNow - days(1), kNow, hourly()), BackfillRangeError);
  try {
    resolve_backfill_range(kNow - days(1), kNow - days(1), kNow, hourly());
    ADD_FAILURE() << "an empty range was accepted";
  } catch (const BackfillRangeError& error) {
    EXPECT_NE(std::string(error.what()).find("empty"), std::string::npos) << error.what();
  }
}

TEST(BackfillRange, IsClampedToTwilioRetentionWithAWarning) {
  const auto result = resolve_backfill_range(kNow - days(45), kNow - days(1), kNow, hourly());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("30-day retention"), std::string::npos) << result.warnings[0];
  EXPECT_NE(result.warnings[0].find("15 days dropped"), std::string::npos) << result.warnings[0];
  EXPECT_EQ(result.range.start, kNow - days(30) - minutes(17) - seconds(5));
}

TEST(BackfillRange, EntirelyBeyondRetentionIsAnError) {
  EXPECT_THROW(resolve_backfill_range(kNow - days(60), kNow - days(31), kNow, hourly()),
               BackfillRangeError);
}

TEST(BackfillRange, TheFutureIsClampedToNowWithAWarning) {
  const auto result = resolve_backfill_range(kNow - hours(2), kNow + days(1), kNow, hourly());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("future"), std::string::npos);
  EXPECT_EQ(result.range.end, kNow - minutes(17) - seconds(5) + hours(1));
}

}  // namespace
}  // namespace insights
