#include "sim/json_appender.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>

namespace insights::sim {
namespace {

std::string fixed(std::int64_t scaled, int decimals) {
  std::string out;
  JsonAppender(out).fixed(scaled, decimals);
  return out;
}

TEST(JsonAppenderTest, FixedPointKeepsADecimalPointAndDropsTrailingZeros) {
  EXPECT_EQ(fixed(0, 6), "0.0");
  EXPECT_EQ(fixed(483035, 6), "0.483035");
  EXPECT_EQ(fixed(1480000, 6), "1.48");
  EXPECT_EQ(fixed(5, 6), "0.000005");
  EXPECT_EQ(fixed(50, 6), "0.00005");
  EXPECT_EQ(fixed(-74045680, 6), "-74.04568");
  EXPECT_EQ(fixed(-500000, 6), "-0.5");
  EXPECT_EQ(fixed(443, 2), "4.43");
  EXPECT_EQ(fixed(1200000000, 6), "1200.0");
}

TEST(JsonAppenderTest, TimesAreIso8601Utc) {
  std::string out;
  JsonAppender(out).time(SimTime{std::chrono::seconds(1629862825)});
  EXPECT_EQ(out, "\"2021-08-25T03:40:25Z\"");
}

TEST(JsonAppenderTest, CommasGoBetweenMembersAndElementsAtEveryDepth) {
  std::string out;
  JsonAppender json(out);
  json.begin_object();
  json.string_member("a", "Köln");
  json.key("b");
  json.begin_array();
  json.integer(1);
  json.begin_object();
  json.end_object();
  json.begin_array();
  json.end_array();
  json.null();
  json.end_array();
  json.boolean_member("c", false);
  json.key("d");
  json.begin_object();
  json.integer_member("e", -7);
  json.null_member("f");
  json.end_object();
  json.end_object();
  EXPECT_EQ(out,
            "{\"a\":\"Köln\",\"b\":[1,{},[],null],\"c\":false,"
            "\"d\":{\"e\":-7,\"f\":null}}");
}

TEST(JsonAppenderTest, StringsRoundTripThroughAJsonParser) {
  const std::string original = "x\"y\\z\n\t\x01\x1f Köln 東京 — end";
  std::string out;
  JsonAppender(out).string(original);
  rapidjson::Document parsed;
  parsed.Parse(out.c_str(), out.size());
  ASSERT_FALSE(parsed.HasParseError()) << out;
  ASSERT_TRUE(parsed.IsString());
  EXPECT_EQ(std::string(parsed.GetString(), parsed.GetStringLength()), original);
  EXPECT_NE(out.find("Köln 東京 — end"), std::string::npos) << "UTF-8 must be kept as is";
}

}  // namespace
}  // namespace insights::sim
