#include "daemon/unknown_enum_values.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

TEST(UnknownEnumValues, KnownValuesAndAbsentFieldsAreFine) {
  CallSummaryRow row;
  row.call_type = "whatsapp";
  row.call_state = "completed";
  row.direction = "trunking_originating";
  row.processing_state = "partial";
  EXPECT_TRUE(unknown_enum_values(row).empty());
}

TEST(UnknownEnumValues, EveryUnknownValueIsNamedWithItsField) {
  CallSummaryRow row;
  row.call_type = "rcs";
  row.answered_by = "robot";
  row.processing_state = "final";
  const auto found = unknown_enum_values(row);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].field, "call_type");
  EXPECT_EQ(found[0].value, "rcs");
  EXPECT_EQ(found[1].field, "answered_by");
  EXPECT_EQ(found[2].field, "processing_state");
}

}  // namespace
}  // namespace insights
