#include "sim/page_token.hpp"

#include <gtest/gtest.h>

namespace insights::sim {
namespace {

using namespace std::chrono;

TEST(PageToken, RoundTripsItsCursor) {
  PageCursor cursor{false, SimTime(seconds(1764300000)), "CA0123456789abcdef0123456789abcdef",
                    SimTime(seconds(1764200000)), SimTime(seconds(1764400000))};
  const std::string token = encode_page_token(cursor, "AC1?CallType=sip", 42);
  EXPECT_TRUE(token.starts_with("PT"));
  const auto decoded = decode_page_token(token, "AC1?CallType=sip", 42);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->forward, false);
  EXPECT_EQ(decoded->sort_key, cursor.sort_key);
  EXPECT_EQ(decoded->call_sid, cursor.call_sid);
  EXPECT_EQ(decoded->window_start, cursor.window_start);
  EXPECT_EQ(decoded->window_end, cursor.window_end);
}

TEST(PageToken, RejectsForeignForgedAndGarbledTokens) {
  PageCursor cursor{true, SimTime(seconds(100)), "CA00000000000000000000000000000001",
                    SimTime(seconds(0)), SimTime(seconds(200))};
  const std::string token = encode_page_token(cursor, "AC1?CallType=sip", 42);
  EXPECT_FALSE(decode_page_token(token, "AC1?CallType=client", 42)) << "other filters";
  EXPECT_FALSE(decode_page_token(token, "AC2?CallType=sip", 42)) << "other account";
  EXPECT_FALSE(decode_page_token(token, "AC1?CallType=sip", 43)) << "other sim instance";
  std::string edited = token;
  edited[5] = edited[5] == '1' ? '2' : '1';
  EXPECT_FALSE(decode_page_token(edited, "AC1?CallType=sip", 42)) << "edited payload";
  for (const char* garbage : {"", "PT", "PTzz.1", "XX00.1", "PT6e.", "PT6e7c31.123"}) {
    EXPECT_FALSE(decode_page_token(garbage, "AC1?CallType=sip", 42)) << garbage;
  }
}

}  // namespace
}  // namespace insights::sim
