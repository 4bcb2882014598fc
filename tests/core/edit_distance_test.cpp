#include "core/edit_distance.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("lease_seconds", "lease_seconds"), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("lease_second", "lease_seconds"), 1u);     // insertion
  EXPECT_EQ(edit_distance("concurrrency", "concurrency"), 1u);       // deletion
  EXPECT_EQ(edit_distance("window_minutas", "window_minutes"), 1u);  // substitution
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(EditDistance, ASwapOfNeighboursIsOneEdit) {
  EXPECT_EQ(edit_distance("ca_flie", "ca_file"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("secert_env", "secret_env"), 1u);
  // Optimal string alignment: no substring is edited twice, so this is 3, not 2.
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);
}

TEST(EditDistance, IsSymmetricAndCaseSensitive) {
  EXPECT_EQ(edit_distance("schedule", "shcedul"), edit_distance("shcedul", "schedule"));
  EXPECT_EQ(edit_distance("Level", "level"), 1u);
}

}  // namespace
}  // namespace insights
