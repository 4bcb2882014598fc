#include "core/content_hash.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <set>
#include <string>

namespace insights {
namespace {

using OptionalField = std::optional<std::string> CallSummaryRow::*;

// Every optional field of the row: the hash must notice a change in any of them.
constexpr std::array<OptionalField, 24> kOptionalFields{
    &CallSummaryRow::account_sid,
    &CallSummaryRow::call_type,
    &CallSummaryRow::call_state,
    &CallSummaryRow::direction,
    &CallSummaryRow::answered_by,
    &CallSummaryRow::processing_state,
    &CallSummaryRow::created_time,
    &CallSummaryRow::start_time,
    &CallSummaryRow::end_time,
    &CallSummaryRow::duration,
    &CallSummaryRow::connect_duration,
    &CallSummaryRow::tags,
    &CallSummaryRow::from_party,
    &CallSummaryRow::to_party,
    &CallSummaryRow::carrier_edge,
    &CallSummaryRow::client_edge,
    &CallSummaryRow::sdk_edge,
    &CallSummaryRow::sip_edge,
    &CallSummaryRow::properties,
    &CallSummaryRow::attributes,
    &CallSummaryRow::trust,
    &CallSummaryRow::annotation,
    &CallSummaryRow::agent_session_summaries,
    &CallSummaryRow::extra,
};

// A row with every field present and distinct.
CallSummaryRow full_row() {
  CallSummaryRow row;
  row.call_sid = "CA" + std::string(32, 'a');
  int n = 0;
  for (const OptionalField field : kOptionalFields) {
    row.*field = "value-" + std::to_string(n++);
  }
  return row;
}

TEST(ContentHash, Is32LowercaseHexCharacters) {
  const std::string hash = content_hash_hex(full_row());
  ASSERT_EQ(hash.size(), 32u);
  for (const char c : hash) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hash;
  }
}

// Stored hashes outlive releases: a change to the framing must be deliberate. The expected
// values were computed independently (Python hashlib) from the documented framing.
TEST(ContentHash, KnownAnswersPinTheFraming) {
  EXPECT_EQ(content_hash_hex(CallSummaryRow{}), "e47f642db6b6aade5fc34ec8278b305d");

  CallSummaryRow row;
  row.call_sid = "CA" + std::string(32, 'a');
  row.account_sid = "AC" + std::string(32, 'a');
  row.processing_state = "complete";
  row.duration = "12";
  row.tags = R"({"silence"})";
  row.from_party = R"({"caller":"+1555"})";
  row.extra = "";
  EXPECT_EQ(content_hash_hex(row), "dd4931a2884afc0748be989c022c9667");
}

TEST(ContentHash, EqualRowsHashEqual) {
  EXPECT_EQ(content_hash_hex(full_row()), content_hash_hex(full_row()));
}

TEST(ContentHash, IgnoresTheStoredHashItself) {
  CallSummaryRow row = full_row();
  const std::string before = content_hash_hex(row);
  row.content_hash = "anything";
  EXPECT_EQ(content_hash_hex(row), before);
}

TEST(ContentHash, ChangesWhenCallSidChanges) {
  CallSummaryRow row = full_row();
  const std::string before = content_hash_hex(row);
  row.call_sid.back() = 'b';
  EXPECT_NE(content_hash_hex(row), before);
}

TEST(ContentHash, ChangesWhenAnySingleFieldChanges) {
  const std::string original = content_hash_hex(full_row());
  std::set<std::string> seen{original};
  for (std::size_t i = 0; i < kOptionalFields.size(); ++i) {
    SCOPED_TRACE("field #" + std::to_string(i));
    CallSummaryRow changed = full_row();
    (changed.*kOptionalFields[i])->append("!");
    EXPECT_TRUE(seen.insert(content_hash_hex(changed)).second);

    CallSummaryRow emptied = full_row();
    (emptied.*kOptionalFields[i]) = "";
    EXPECT_TRUE(seen.insert(content_hash_hex(emptied)).second);

    CallSummaryRow absent = full_row();
    (absent.*kOptionalFields[i]).reset();
    EXPECT_TRUE(seen.insert(content_hash_hex(absent)).second);
  }
}

TEST(ContentHash, AbsentDiffersFromEmpty) {
  for (std::size_t i = 0; i < kOptionalFields.size(); ++i) {
    SCOPED_TRACE("field #" + std::to_string(i));
    CallSummaryRow absent;
    CallSummaryRow empty;
    empty.*kOptionalFields[i] = "";
    EXPECT_NE(content_hash_hex(absent), content_hash_hex(empty));
  }
}

TEST(ContentHash, BytesCannotMoveAcrossFieldBoundaries) {
  CallSummaryRow left;
  left.call_type = "ab";
  left.call_state = "";
  CallSummaryRow right;
  right.call_type = "a";
  right.call_state = "b";
  EXPECT_NE(content_hash_hex(left), content_hash_hex(right));

  // Moving a value to the neighbouring field must not collide either.
  CallSummaryRow first;
  first.call_type = "x";
  CallSummaryRow second;
  second.call_state = "x";
  EXPECT_NE(content_hash_hex(first), content_hash_hex(second));
}

}  // namespace
}  // namespace insights
