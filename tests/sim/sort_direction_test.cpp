// --sort-direction: Twilio does not document which way SortBy orders a page, so the sim serves
// either. With desc every page lists calls newest first by (SortBy's timestamp, call_sid), and
// next_page_url and previous_page_url walk that order, returning each call of the window once:
// for both time-filter fields and both SortBy values.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sim/list_page.hpp"
#include "sim/time_param.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/running_sim.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/test_noon.hpp"

namespace insights::sim {
namespace {

using insights::testing::kTestNoon;
using namespace std::chrono;

// One listed summary: what the page order is made of.
struct ListedCall {
  SimTime sort_key{};
  std::string call_sid;
  auto operator<=>(const ListedCall&) const = default;
};

// How gtest shows a call when an expectation fails.
void PrintTo(const ListedCall& call, std::ostream* out) {
  *out << call.call_sid << '@' << format_time(call.sort_key);
}

// One page as the client sees it.
struct ListedPage {
  std::vector<ListedCall> calls;
  std::string next_target, previous_target;  // empty when the URL is null
};

// Path and query of an absolute meta URL, or "" for null.
std::string meta_target(const rapidjson::Value& url) {
  if (url.IsNull())
    return {};
  const std::string text = url.GetString();
  return text.substr(text.find('/', text.find("://") + 3));
}

// Busy enough that many calls share a second, so the call_sid tie-break is exercised.
GeneratorOptions busy_data() {
  GeneratorOptions data;
  data.seed = 11;
  data.calls_per_hour = 3000;
  return data;
}

// A sim serving the same data set in ascending and in descending order, side by side.
class SortDirectionTest : public ::testing::TestWithParam<std::tuple<TimeFilterField, SortField>> {
 protected:
  static SimServiceOptions served(SortDirection direction) {
    SimServiceOptions options;
    options.time_filter = std::get<0>(GetParam());
    options.sort_direction = direction;
    return options;
  }

  std::string sort_field() const {
    return std::get<1>(GetParam()) == SortField::start_time ? "start_time" : "end_time";
  }

  std::string first_target() const {
    std::string target = "/v1/Voice/Summaries?StartTime=";  // GCC 12 rule 5
    target += format_time(window_start);
    target += "&EndTime=";
    target += format_time(window_end);
    target += "&ProcessingState=all&SortBy=";
    target += sort_field();
    target += "&PageSize=97";
    return target;
  }

  ListedPage get_page(insights::testing::RunningSim& sim, const std::string& target) {
    insights::testing::HttpClientOptions options;
    options.port = sim.port();
    options.tls = true;
    options.ca_file = sim.ca_file();
    options.verify_host = "127.0.0.1";
    insights::testing::HttpTestClient client(options);
    const auto result =
        client.get(target, insights::testing::basic_auth(testing::kSimAccount, testing::kSimToken));
    EXPECT_EQ(result.status, 200) << target << ": " << result.body.substr(0, 300);
    rapidjson::Document document;
    document.Parse(result.body.c_str(), result.body.size());
    ListedPage page;
    if (result.status != 200 || document.HasParseError())
      return page;
    for (const auto& item : document["call_summaries"].GetArray()) {
      const auto key = parse_time_param(item[sort_field().c_str()].GetString(), kTestNoon);
      EXPECT_TRUE(key.has_value()) << item["call_sid"].GetString();
      page.calls.push_back({key.value_or(SimTime{}), item["call_sid"].GetString()});
    }
    page.next_target = meta_target(document["meta"]["next_page_url"]);
    page.previous_target = meta_target(document["meta"]["previous_page_url"]);
    return page;
  }

  // Every page from the first, following next_page_url to the end.
  std::vector<ListedPage> walk_forward(insights::testing::RunningSim& sim) {
    std::vector<ListedPage> pages;
    for (std::string target = first_target(); !target.empty() && pages.size() < 1000;) {
      pages.push_back(get_page(sim, target));
      target = pages.back().next_target;
    }
    return pages;
  }

  static std::vector<ListedCall> concatenated(const std::vector<ListedPage>& pages) {
    std::vector<ListedCall> calls;
    for (const auto& page : pages)
      calls.insert(calls.end(), page.calls.begin(), page.calls.end());
    return calls;
  }

  const SimTime window_start = kTestNoon - hours(3), window_end = kTestNoon - hours(1);
  insights::testing::RunningSim ascending{busy_data(), served(SortDirection::ascending), kTestNoon};
  insights::testing::RunningSim descending{busy_data(), served(SortDirection::descending),
                                           kTestNoon};
};

TEST_P(SortDirectionTest, DescendingFirstPageListsTheLatestCallsFirst) {
  const ListedPage first = get_page(descending, first_target());
  ASSERT_EQ(first.calls.size(), 97u);
  EXPECT_TRUE(std::is_sorted(first.calls.rbegin(), first.calls.rend()));
  EXPECT_TRUE(first.previous_target.empty());
  ASSERT_FALSE(first.next_target.empty());
  // The latest call of the whole window comes first.
  const auto all = concatenated(walk_forward(ascending));
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(first.calls.front(), all.back());
}

TEST_P(SortDirectionTest, DescendingWalkReturnsEveryCallOnceNewestFirst) {
  const auto pages = walk_forward(descending);
  const auto calls = concatenated(pages);
  EXPECT_GT(pages.size(), 10u);
  // Strictly descending: in order and none twice.
  EXPECT_TRUE(std::adjacent_find(calls.begin(), calls.end(), std::less_equal<>()) == calls.end());
  std::set<std::string> sids;
  for (const auto& call : calls)
    sids.insert(call.call_sid);
  const auto truth = descending.truth(window_start, window_end);
  std::set<std::string> expected;
  for (const auto& [sid, digest] : truth)
    expected.insert(sid);
  ASSERT_GT(expected.size(), 1000u);
  EXPECT_EQ(sids, expected);
  EXPECT_EQ(calls.size(), expected.size());
  // Calls sharing a sort key were listed, so the call_sid tie-break was walked across.
  EXPECT_TRUE(std::adjacent_find(calls.begin(), calls.end(), [](const auto& a, const auto& b) {
                return a.sort_key == b.sort_key;
              }) != calls.end());
  // The very same calls as the ascending walk, in reverse.
  auto ascending_calls = concatenated(walk_forward(ascending));
  std::reverse(ascending_calls.begin(), ascending_calls.end());
  EXPECT_EQ(calls, ascending_calls);
}

TEST_P(SortDirectionTest, DescendingPreviousPageUrlsWalkBackToTheFirstPage) {
  const auto pages = walk_forward(descending);
  ASSERT_GT(pages.size(), 2u);
  std::string target = pages.back().previous_target;
  for (std::size_t index = pages.size() - 1; index-- > 0;) {
    ASSERT_FALSE(target.empty()) << "no previous_page_url after page " << index + 1;
    const ListedPage back = get_page(descending, target);
    EXPECT_EQ(back.calls, pages[index].calls) << "page " << index;
    target = back.previous_target;
  }
  EXPECT_TRUE(target.empty()) << "the first page has no previous page";
}

std::string sort_direction_case_name(
    const ::testing::TestParamInfo<std::tuple<TimeFilterField, SortField>>& info) {
  return std::string(std::get<0>(info.param) == TimeFilterField::start_time ? "filter_start_time"
                                                                            : "filter_end_time") +
         (std::get<1>(info.param) == SortField::start_time ? "_sort_start_time" : "_sort_end_time");
}

INSTANTIATE_TEST_SUITE_P(
    TimeFilterAndSortBy, SortDirectionTest,
    ::testing::Combine(::testing::Values(TimeFilterField::start_time, TimeFilterField::end_time),
                       ::testing::Values(SortField::start_time, SortField::end_time)),
    sort_direction_case_name);

}  // namespace
}  // namespace insights::sim
