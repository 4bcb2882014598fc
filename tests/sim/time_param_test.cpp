#include "sim/time_param.hpp"

#include <gtest/gtest.h>

namespace insights::sim {
namespace {

using namespace std::chrono;

const SimTime kNow = sys_days(year(2026) / 11 / 28) + hours(20) + minutes(11) + seconds(29);

TEST(TimeParam, RelativeFormsCountBackFromNow) {
  EXPECT_EQ(parse_time_param("0m", kNow), kNow);
  EXPECT_EQ(parse_time_param("30m", kNow), kNow - minutes(30));
  EXPECT_EQ(parse_time_param("4h", kNow), kNow - hours(4));
  EXPECT_EQ(parse_time_param("3d", kNow), kNow - days(3));
  EXPECT_EQ(parse_time_param("1w", kNow), kNow - weeks(1));
}

TEST(TimeParam, IsoFormsWithOffsetsAndFractions) {
  const SimTime expected = sys_days(year(2026) / 11 / 1) + hours(12);
  EXPECT_EQ(parse_time_param("2026-11-01T12:00:00Z", kNow), expected);
  EXPECT_EQ(parse_time_param("2026-11-01T12:00:00.250Z", kNow), expected);
  EXPECT_EQ(parse_time_param("2026-11-01T14:00:00+02:00", kNow), expected);
  EXPECT_EQ(parse_time_param("2026-11-01T07:30:00-04:30", kNow), expected);
}

TEST(TimeParam, RejectsWhatTheGrammarDoesNot) {
  for (const char* bad :
       {"", "4", "h", "4x", "-4h", "4.5h", "2026-11-01", "2026-11-01T12:00:00",
        "2026-13-01T12:00:00Z", "2026-02-30T12:00:00Z", "2026-11-01T24:00:00Z",
        "2026-11-01 12:00:00Z", "2026-11-01T12:00:00Zjunk", "2026-11-01T12:00:00+2:00"}) {
    EXPECT_FALSE(parse_time_param(bad, kNow).has_value()) << bad;
  }
}

TEST(TimeParam, FormatsLikeTwilio) {
  EXPECT_EQ(format_time(kNow), "2026-11-28T20:11:29Z");
  EXPECT_EQ(parse_time_param(format_time(kNow), kNow), kNow);
}

}  // namespace
}  // namespace insights::sim
