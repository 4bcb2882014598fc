#include "sink/copy_text.hpp"

#include <gtest/gtest.h>

#include "sink/merge_statement.hpp"
#include "sink/summary_columns.hpp"

namespace insights {
namespace {

std::string encoded(std::string_view value) {
  std::string line;
  append_copy_field(line, value);
  return line;
}

TEST(CopyText, EscapesTheCharactersCopySplitsOn) {
  EXPECT_EQ(encoded("plain"), "plain");
  EXPECT_EQ(encoded("a\tb"), "a\\tb");
  EXPECT_EQ(encoded("a\nb\rc"), "a\\nb\\rc");
  EXPECT_EQ(encoded("back\\slash"), "back\\\\slash");
  EXPECT_EQ(encoded("東京 — ü"), "東京 — ü");
  EXPECT_EQ(encoded(""), "");
}

TEST(CopyText, AbsentIsNullAndEmptyIsNot) {
  std::string line;
  append_copy_field_or_null(line, std::optional<std::string>());
  EXPECT_EQ(line, "\\N");
  line.clear();
  append_copy_field_or_null(line, std::optional<std::string>(""));
  EXPECT_EQ(line, "");
}

TEST(CopyText, StagingLineHasOneFieldPerColumn) {
  CallSummaryRow row;
  row.call_sid = "CA00000000000000000000000000000001";
  row.duration = "12";
  row.content_hash = "00112233445566778899aabbccddeeff";
  const std::string line = staging_line(row, 7);
  size_t tabs = 0;
  for (char c : line)
    tabs += c == '\t';
  EXPECT_EQ(tabs + 1, staging_columns().size());
  EXPECT_EQ(staging_columns().size(), summary_columns().size() + 3);
  EXPECT_TRUE(line.starts_with("7\tCA00000000000000000000000000000001\t\\N\t"));
  EXPECT_TRUE(line.ends_with("\t\\\\x00112233445566778899aabbccddeeff"));
}

}  // namespace
}  // namespace insights
