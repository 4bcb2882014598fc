#include "core/key_suggestion.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

const std::vector<std::string> kSyncKeys = {"lease_seconds", "once_attempts",
                                            "poll_interval_seconds", "schedule", "window_minutes"};

TEST(KeySuggestion, UpToTwoEditsAway) {
  EXPECT_EQ(nearest_key("lease_second", kSyncKeys), "lease_seconds");
  EXPECT_EQ(nearest_key("lease_secnods", kSyncKeys), "lease_seconds");  // a swap
  EXPECT_EQ(nearest_key("shedul", kSyncKeys), "schedule");              // two deletions
  EXPECT_EQ(nearest_key("window_minuts", kSyncKeys), "window_minutes");
}

TEST(KeySuggestion, CaseDashesAndUnderscoresDoNotCount) {
  EXPECT_EQ(nearest_key("Lease_Seconds", kSyncKeys), "lease_seconds");
  EXPECT_EQ(nearest_key("lease-seconds", kSyncKeys), "lease_seconds");
  EXPECT_EQ(nearest_key("leaseseconds", kSyncKeys), "lease_seconds");
  EXPECT_EQ(nearest_key("POLL_INTERVAL_SECONDS", kSyncKeys), "poll_interval_seconds");
}

TEST(KeySuggestion, NothingWhenNoKeyIsClose) {
  EXPECT_EQ(nearest_key("colour", kSyncKeys), std::nullopt);
  EXPECT_EQ(nearest_key("lease", kSyncKeys), std::nullopt);
  EXPECT_EQ(nearest_key("", kSyncKeys), std::nullopt);
  EXPECT_EQ(nearest_key("lease_second", {}), std::nullopt);
}

TEST(KeySuggestion, AShortWordIsNotCorrectedIntoAnotherShortWord) {
  const std::vector<std::string> filters = {"from", "to", "has_tag"};
  EXPECT_EQ(nearest_key("tz", filters), std::nullopt);  // two letters: no edit allowed
  EXPECT_EQ(nearest_key("frm", filters), "from");       // three letters: one edit
  EXPECT_EQ(nearest_key("xyz", filters), std::nullopt);
  EXPECT_EQ(nearest_key("TO", filters), "to");  // case alone always counts
}

TEST(KeySuggestion, TheClosestWinsThenTheFirst) {
  EXPECT_EQ(nearest_key("abcd_x", {"abcd_yy", "abcd_y"}), "abcd_y");
  EXPECT_EQ(nearest_key("abcd_x", {"abcd_y", "abcd_z"}), "abcd_y");
}

}  // namespace
}  // namespace insights
