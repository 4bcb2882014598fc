#include "core/utc_time.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

using namespace std::chrono;

TEST(UtcTime, ParsesWhatItFormats) {
  const UtcSeconds time = sys_days(year(2026) / 11 / 28) + hours(20) + minutes(11) + seconds(29);
  EXPECT_EQ(parse_utc(format_utc(time)), time);
}

TEST(UtcTime, AcceptsFractionsAndOffsets) {
  const UtcSeconds time = sys_days(year(2026) / 11 / 28) + hours(20);
  EXPECT_EQ(parse_utc("2026-11-28T20:00:00.123456Z"), time);
  EXPECT_EQ(parse_utc("2026-11-28T21:30:00+01:30"), time);
  EXPECT_EQ(parse_utc("2026-11-28T15:00:00-05:00"), time);
}

TEST(UtcTime, RejectsOtherShapes) {
  for (const char* text :
       {"", "2026-11-28", "2026-11-28T20:00:00", "2026-02-30T00:00:00Z", "2026-11-28T24:00:00Z",
        "2026-11-28T20:00:00Zx", "2026/11/28T20:00:00Z", "2026-11-28T20:00:00+0100"}) {
    EXPECT_EQ(parse_utc(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace insights
