#include "api/summaries_request.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

using namespace std::chrono;

TEST(SummariesRequest, AlwaysSendsExplicitWindowStateSortAndPageSize) {
  WindowRequest request;
  request.start = sys_days(year(2026) / 11 / 1);
  request.end = request.start + hours(1);
  EXPECT_EQ(summaries_list_target(request),
            "/v1/Voice/Summaries?StartTime=2026-11-01T00%3A00%3A00Z"
            "&EndTime=2026-11-01T01%3A00%3A00Z&ProcessingState=all&SortBy=start_time"
            "&PageSize=1000");
}

TEST(SummariesRequest, EncodesEveryFilter) {
  WindowRequest request;
  request.start = sys_days(year(2026) / 11 / 1);
  request.end = request.start + minutes(30);
  request.processing_state = ProcessingStateParam::completed;
  request.sort_by = SortByParam::end_time;
  request.page_size = 50;
  SummaryFilters& f = request.filters;
  f.from = {"+15555550100"};
  f.to = {"client:alice"};
  f.from_carrier = {"AT&T Wireless"};
  f.to_carrier = {"Telefônica Brasil"};
  f.from_country_code = {"US", "DE"};
  f.to_country_code = {"BR"};
  f.call_type = {"sip", "trunking"};
  f.call_state = {"completed"};
  f.direction = {"inbound"};
  f.answered_by = {"human"};
  f.verified_caller = true;
  f.has_tag = false;
  f.abnormal_session = true;
  f.branded_enabled = false;
  f.subaccount = "AC0000000000000000000000000000000a";
  EXPECT_EQ(summaries_list_target(request),
            "/v1/Voice/Summaries?From=%2B15555550100&To=client%3Aalice"
            "&FromCarrier=AT%26T%20Wireless&ToCarrier=Telef%C3%B4nica%20Brasil"
            "&FromCountryCode=US%2CDE&ToCountryCode=BR&VerifiedCaller=true&HasTag=false"
            "&StartTime=2026-11-01T00%3A00%3A00Z&EndTime=2026-11-01T00%3A30%3A00Z"
            "&CallType=sip%2Ctrunking&CallState=completed&Direction=inbound"
            "&ProcessingState=completed&SortBy=end_time"
            "&Subaccount=AC0000000000000000000000000000000a&AbnormalSession=true"
            "&AnsweredBy=human&BrandedEnabled=false&PageSize=50");
}

TEST(SummariesRequest, SingleSummaryTarget) {
  EXPECT_EQ(
      single_summary_target("CA0123456789abcdef0123456789abcdef", ProcessingStateParam::partial),
      "/v1/Voice/CA0123456789abcdef0123456789abcdef/Summary?ProcessingState=partial");
  EXPECT_EQ(single_summary_target("CA../x", ProcessingStateParam::all),
            "/v1/Voice/CA..%2Fx/Summary?ProcessingState=all")
      << "a hostile SID cannot change the path";
}

}  // namespace
}  // namespace insights
