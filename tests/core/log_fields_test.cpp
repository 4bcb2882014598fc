// Log lines as journald and JSON see them: the fields read back from the text, and one JSON
// object per line.
#include "core/log_fields.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "core/log_sinks.hpp"

namespace insights {
namespace {

TEST(LogFields, SourceWindowAndCallAreReadFromTheText) {
  const LogFields fields = log_fields(
      "source eu-main: window 2026-11-29T01:00:00Z..2026-11-29T02:00:00Z read (pass 1): 12 rows; "
      "call CA0123456789abcdef0123456789abcdef was partial");
  EXPECT_EQ(fields.source, "eu-main");
  EXPECT_EQ(fields.window, "2026-11-29T01:00:00Z..2026-11-29T02:00:00Z");
  EXPECT_EQ(fields.call_sid, "CA0123456789abcdef0123456789abcdef");
}

TEST(LogFields, LinesWithoutThemHaveNone) {
  const LogFields none =
      log_fields("took back 3 window leases of instance a (resource 7); window closing soon");
  EXPECT_EQ(none.source, "");
  EXPECT_EQ(none.window, "");
  EXPECT_EQ(none.call_sid, "");
  // Look-alikes: an account SID is no call SID, a call SID must be whole.
  EXPECT_EQ(log_fields("account AC0123456789abcdef0123456789abcdef").call_sid, "");
  EXPECT_EQ(log_fields("xCA0123456789abcdef0123456789abcdef").call_sid, "");
  EXPECT_EQ(log_fields("CA0123456789abcdef0123456789abcdefg").call_sid, "");
  EXPECT_EQ(log_fields("resource x: done").source, "");
  EXPECT_EQ(log_fields("backfill #2 of source main: 3 windows").source, "main");
}

TEST(JsonLogLine, IsOneObjectWithTimeLevelMessageAndFields) {
  const std::string text = "source main: window 2026-11-29T01:00:00Z..2026-11-29T02:00:00Z \"x\"";
  const spdlog::details::log_msg message("insights-sync", spdlog::level::warn, text);
  const std::string line = json_log_line(message);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  rapidjson::Document json;
  json.Parse(line.c_str());
  ASSERT_FALSE(json.HasParseError()) << line;
  EXPECT_STREQ(json["level"].GetString(), "warning");
  EXPECT_EQ(std::string(json["message"].GetString()), text);
  EXPECT_STREQ(json["source"].GetString(), "main");
  EXPECT_STREQ(json["window"].GetString(), "2026-11-29T01:00:00Z..2026-11-29T02:00:00Z");
  EXPECT_FALSE(json.HasMember("call_sid"));
  EXPECT_EQ(std::string(json["time"].GetString()).size(), 24u) << json["time"].GetString();
}

}  // namespace
}  // namespace insights
