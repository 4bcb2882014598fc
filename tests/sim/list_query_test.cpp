#include "sim/list_query.hpp"

#include <gtest/gtest.h>

namespace insights::sim {
namespace {

using namespace std::chrono;

const SimTime kQueryNow = sys_days(year(2026) / 11 / 28) + hours(20);

ListQuery parse_ok(std::string_view text) {
  auto parsed = parse_list_query(text, kQueryNow);
  if (auto* error = std::get_if<TwilioError>(&parsed)) {
    ADD_FAILURE() << text << ": " << error->message;
    return {};
  }
  return std::get<ListQuery>(parsed);
}

TwilioError parse_error(std::string_view text) {
  auto parsed = parse_list_query(text, kQueryNow);
  if (auto* error = std::get_if<TwilioError>(&parsed))
    return *error;
  ADD_FAILURE() << text << " was accepted";
  return {};
}

TEST(ListQuery, DefaultsAreTheDocumentedOnes) {
  const ListQuery query = parse_ok("");
  EXPECT_EQ(query.start_time, kQueryNow - hours(4));
  EXPECT_EQ(query.end_time, kQueryNow);
  EXPECT_EQ(query.page_size, 50);
  EXPECT_EQ(query.page, 0);
  EXPECT_EQ(query.processing_state, ProcessingStateFilter::completed);
  EXPECT_EQ(query.sort_by, SortField::start_time);
  EXPECT_EQ(query.echoed_filters, "");
}

TEST(ListQuery, ReadsEveryFilterWithMultiValuesAndEncoding) {
  const ListQuery query = parse_ok(
      "From=%2B15555550100&To=client%3Aalice&FromCarrier=AT%26T+Wireless&ToCarrier=Twilio"
      "&FromCountryCode=US,DE&ToCountryCode=BR&VerifiedCaller=true&HasTag=false"
      "&StartTime=2026-11-27T00:00:00Z&EndTime=1h&CallType=sip,trunking&CallState=completed"
      "&Direction=outbound_api,inbound&ProcessingState=all&SortBy=end_time"
      "&Subaccount=AC0000000000000000000000000000000a&AbnormalSession=true"
      "&AnsweredBy=human,fax&BrandedEnabled=false&PageSize=1000&Page=3&PageToken=PTabc"
      "&QualityIssueAnnotation=echo");
  EXPECT_EQ(query.from, std::vector<std::string>{"+15555550100"});
  EXPECT_EQ(query.to, std::vector<std::string>{"client:alice"});
  EXPECT_EQ(query.from_carrier, std::vector<std::string>{"AT&T Wireless"});
  EXPECT_EQ(query.from_country_code, (std::vector<std::string>{"US", "DE"}));
  EXPECT_EQ(query.call_type, (std::vector<std::string>{"sip", "trunking"}));
  EXPECT_EQ(query.direction, (std::vector<std::string>{"outbound_api", "inbound"}));
  EXPECT_EQ(query.answered_by, (std::vector<std::string>{"human", "fax"}));
  EXPECT_EQ(query.verified_caller, true);
  EXPECT_EQ(query.has_tag, false);
  EXPECT_EQ(query.abnormal_session, true);
  EXPECT_EQ(query.branded_enabled, false);
  EXPECT_EQ(query.start_time, sys_days(year(2026) / 11 / 27));
  EXPECT_EQ(query.end_time, kQueryNow - hours(1));
  EXPECT_EQ(query.processing_state, ProcessingStateFilter::all);
  EXPECT_EQ(query.sort_by, SortField::end_time);
  EXPECT_EQ(query.subaccount, "AC0000000000000000000000000000000a");
  EXPECT_EQ(query.page_size, 1000);
  EXPECT_EQ(query.page, 3);
  EXPECT_EQ(query.page_token, "PTabc");
  // Echoed as received (still encoded), without the paging parameters.
  EXPECT_EQ(query.echoed_filters.find("PageSize"), std::string::npos);
  EXPECT_NE(query.echoed_filters.find("FromCarrier=AT%26T+Wireless"), std::string::npos);
  EXPECT_TRUE(query.echoed_filters.ends_with("QualityIssueAnnotation=echo"));
}

TEST(ListQuery, InvalidValuesAre400WithTheParameterNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"PageSize=0", "PageSize"},
      {"PageSize=1001", "PageSize"},
      {"PageSize=ten", "PageSize"},
      {"Page=-1", "Page"},
      {"VerifiedCaller=True", "VerifiedCaller"},
      {"HasTag=yes", "HasTag"},
      {"AbnormalSession=1", "AbnormalSession"},
      {"BrandedEnabled=", "BrandedEnabled"},
      {"CallType=pstn", "CallType"},
      {"CallType=sip,,client", "CallType"},
      {"CallState=done", "CallState"},
      {"Direction=outbound", "Direction"},
      {"AnsweredBy=robot", "AnsweredBy"},
      {"ProcessingState=complete", "ProcessingState"},
      {"SortBy=created_time", "SortBy"},
      {"Subaccount=AC123", "Subaccount"},
      {"StartTime=yesterday", "StartTime"},
      {"EndTime=2026-11-28", "EndTime"},
      {"StartTime=1h&EndTime=2h", "EndTime"},
  };
  for (const auto& [text, name] : cases) {
    const TwilioError error = parse_error(text);
    EXPECT_EQ(error.status, 400) << text;
    EXPECT_NE(error.message.find(name), std::string::npos) << text << ": " << error.message;
  }
}

TEST(ListQuery, FiltersMatchTheCallsFacts) {
  SimCall call;
  call.call_type = "sip";
  call.call_state = "completed";
  call.direction = "inbound";
  call.from_caller = "+15555550100";
  call.to_callee = "sip:alice@example.com";
  call.from_carrier = "Telefônica Brasil";
  call.from_country_code = "BR";
  call.verified_caller = true;
  call.last_sip_response = 486;
  call.complete_tags = {"high_jitter"};
  EXPECT_TRUE(matches_filters(parse_ok(""), call, Visibility::complete));
  EXPECT_TRUE(matches_filters(parse_ok("CallType=carrier,sip&FromCountryCode=BR"), call,
                              Visibility::complete));
  EXPECT_FALSE(matches_filters(parse_ok("CallType=carrier"), call, Visibility::complete));
  EXPECT_TRUE(
      matches_filters(parse_ok("FromCarrier=Telef%C3%B4nica+Brasil"), call, Visibility::complete));
  EXPECT_FALSE(matches_filters(parse_ok("ToCarrier=Twilio"), call, Visibility::complete));
  EXPECT_TRUE(matches_filters(parse_ok("AbnormalSession=true&VerifiedCaller=true"), call,
                              Visibility::complete));
  EXPECT_FALSE(matches_filters(parse_ok("AbnormalSession=false"), call, Visibility::complete));
  EXPECT_TRUE(matches_filters(parse_ok("HasTag=true"), call, Visibility::complete));
  // A partial summary has no tags yet.
  EXPECT_FALSE(matches_filters(parse_ok("HasTag=true"), call, Visibility::partial));
  EXPECT_FALSE(matches_filters(parse_ok("AnsweredBy=human"), call, Visibility::complete));
  EXPECT_TRUE(
      matches_filters(parse_ok("To=sip%3Aalice%40example.com"), call, Visibility::complete));
}

}  // namespace
}  // namespace insights::sim
