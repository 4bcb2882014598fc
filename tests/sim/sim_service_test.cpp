// insights-sim driven over real HTTPS with a real client: paging, filters, errors, lifecycle,
// faults and the truth endpoint.
#include "sim/sim_service.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "sim/time_param.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/test_noon.hpp"

namespace insights::sim {
namespace {

using insights::testing::basic_auth;
using insights::testing::HttpClientOptions;
using insights::testing::HttpResult;
using insights::testing::HttpTestClient;
using insights::testing::HttpTestRequest;
using insights::testing::TransportError;
using namespace std::chrono;

constexpr const char* kAccount = testing::kSimAccount;
constexpr const char* kToken = "test-token";
using insights::testing::kTestNoon;

rapidjson::Document parse_json(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());
  EXPECT_FALSE(document.HasParseError()) << body.substr(0, 300);
  return document;
}

// Path and query of an absolute URL the sim returned.
std::string target_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  return url.substr(url.find('/', scheme + 3));
}

class SimServiceTest : public ::testing::Test {
 protected:
  explicit SimServiceTest(int calls_per_hour = 60,
                          TimeFilterField time_filter = TimeFilterField::start_time,
                          int max_page_items = 0) {
    GeneratorOptions data;
    data.seed = 7;
    data.calls_per_hour = calls_per_hour;
    data.subaccounts_per_account = 1;
    store = std::make_unique<CallStore>(data);
    clock = std::make_unique<SimClock>(kTestNoon, 0.0);
    SimServiceOptions options;
    options.credentials = {{kAccount, kToken, kAccount}};
    options.time_filter = time_filter;
    options.max_page_items = max_page_items;
    service = std::make_unique<SimService>(*store, *clock, options);

    const auto identity = make_tls_identity({"localhost"}, {"127.0.0.1"});
    ca_file = dir.path() + "/ca.pem";
    write_ca_file(identity, ca_file);
    ServerOptions server_options;
    server_options.tls = make_server_tls_context(identity);
    server = std::make_unique<HttpServer>(io, server_options, *service);
    server->start();
    loop = std::thread([this] { io.run(); });
    client = std::make_unique<HttpTestClient>(client_options());
  }

  ~SimServiceTest() override {
    server->stop();
    loop.join();
  }

  HttpClientOptions client_options() const {
    HttpClientOptions options;
    options.port = server->port();
    options.tls = true;
    options.ca_file = ca_file;
    options.verify_host = "localhost";
    return options;
  }

  HttpResult get(const std::string& target) {
    return client->get(target, basic_auth(kAccount, kToken));
  }

  HttpResult admin(const std::string& method, const std::string& target) {
    HttpTestRequest request;
    request.method = method;
    request.target = target;
    return client->send(request);
  }

  // Every summary of the truth endpoint for [start, end), by call_sid.
  std::map<std::string, std::string> truth(const std::string& start, const std::string& end,
                                           const std::string& account = kAccount) {
    const HttpResult result = admin(
        "GET", "/_sim/truth?StartTime=" + start + "&EndTime=" + end + "&AccountSid=" + account);
    EXPECT_EQ(result.status, 200) << result.body;
    std::map<std::string, std::string> summaries;
    const auto document = parse_json(result.body);
    for (const auto& item : document["call_summaries"].GetArray()) {
      summaries[item["call_sid"].GetString()] = item["processing_state"].GetString();
    }
    return summaries;
  }

  // Walks every page from `target`, returning the call_sids seen in order.
  std::vector<std::string> walk_pages(std::string target,
                                      const std::function<void(int)>& between_pages = {}) {
    std::vector<std::string> seen;
    for (int page = 0; !target.empty(); ++page) {
      if (between_pages)
        between_pages(page);
      const HttpResult result = get(target);
      EXPECT_EQ(result.status, 200) << result.body.substr(0, 200);
      if (result.status != 200)
        break;
      const auto document = parse_json(result.body);
      for (const auto& item : document["call_summaries"].GetArray()) {
        seen.push_back(item["call_sid"].GetString());
      }
      const auto& next = document["meta"]["next_page_url"];
      target = next.IsNull() ? "" : target_of(next.GetString());
    }
    return seen;
  }

  boost::asio::io_context io;
  std::unique_ptr<CallStore> store;
  std::unique_ptr<SimClock> clock;
  std::unique_ptr<SimService> service;
  std::unique_ptr<HttpServer> server;
  // Per test process, as ctest -j runs several side by side.
  insights::testing::TestDir dir{"sim-service"};
  std::string ca_file;
  std::thread loop;
  std::unique_ptr<HttpTestClient> client;
};

class BusySimTest : public SimServiceTest {
 protected:
  BusySimTest() : SimServiceTest(1000) {}
};

class EndTimeFilterSimTest : public SimServiceTest {
 protected:
  EndTimeFilterSimTest() : SimServiceTest(60, TimeFilterField::end_time) {}
};

class CappedPagesSimTest : public SimServiceTest {
 protected:
  CappedPagesSimTest() : SimServiceTest(60, TimeFilterField::start_time, 3) {}
};

TEST_F(CappedPagesSimTest, PagesHoldAtMostTheCapWhateverPageSizeAsksAndStillEveryCallOnce) {
  const std::string start = format_time(kTestNoon - hours(2)), end = format_time(kTestNoon);
  const std::string target = "/v1/Voice/Summaries?StartTime=" + start + "&EndTime=" + end +
                             "&ProcessingState=all&PageSize=50";
  const auto first = parse_json(get(target).body);
  EXPECT_EQ(first["call_summaries"].Size(), 3u);
  EXPECT_EQ(first["meta"]["page_size"].GetInt(), 50);  // the request echoed, as asked
  std::size_t pages = 0;
  const auto seen =
      walk_pages(target, [&pages](int page) { pages = static_cast<std::size_t>(page) + 1; });
  const auto expected = truth(start, end);
  ASSERT_GT(expected.size(), 10u);
  EXPECT_EQ(pages, (expected.size() + 2) / 3);  // three a page, the last one the rest
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_EQ(seen.size(), expected.size());
}

TEST_F(BusySimTest, PagingThroughTenThousandSummariesReturnsEachExactlyOnce) {
  const std::string start = format_time(kTestNoon - hours(24)), end = format_time(kTestNoon);
  const auto expected = truth(start, end);
  ASSERT_GE(expected.size(), 10000u);

  std::set<std::string> seen;
  std::string target = "/v1/Voice/Summaries?StartTime=" + start + "&EndTime=" + end +
                       "&ProcessingState=all&PageSize=1000";
  int pages = 0;
  while (!target.empty()) {
    const HttpResult page = get(target);
    ASSERT_TRUE(page.ok()) << page.error;
    ASSERT_EQ(page.status, 200) << page.body.substr(0, 300);
    const auto document = parse_json(page.body);
    const auto& items = document["call_summaries"];
    for (const auto& item : items.GetArray()) {
      EXPECT_TRUE(seen.insert(item["call_sid"].GetString()).second)
          << "returned twice: " << item["call_sid"].GetString();
    }
    const auto& meta = document["meta"];
    EXPECT_EQ(meta["page"].GetInt(), pages);
    EXPECT_EQ(meta["page_size"].GetInt(), 1000);
    EXPECT_STREQ(meta["key"].GetString(), "call_summaries");
    if (meta["next_page_url"].IsNull()) {
      target.clear();
    } else {
      EXPECT_EQ(items.Size(), 1000u);
      const std::string next = meta["next_page_url"].GetString();
      EXPECT_TRUE(next.starts_with("https://localhost:") || next.starts_with("https://127.0.0.1:"))
          << next;
      EXPECT_NE(next.find("PageToken=PT"), std::string::npos) << next;
      target = target_of(next);
    }
    ++pages;
  }
  EXPECT_EQ(seen.size(), expected.size());
  for (const auto& [sid, state] : expected)
    EXPECT_TRUE(seen.contains(sid)) << sid;
  EXPECT_EQ(pages, static_cast<int>((expected.size() + 999) / 1000));
}

TEST_F(SimServiceTest, MetaFollowsTheSpec) {
  const HttpResult first = get("/v1/Voice/Summaries?StartTime=1d&CallType=carrier,sip&PageSize=5");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto document = parse_json(first.body);
  const auto& meta = document["meta"];
  EXPECT_EQ(meta["page"].GetInt(), 0);
  EXPECT_EQ(meta["page_size"].GetInt(), 5);
  EXPECT_TRUE(meta["previous_page_url"].IsNull());
  const std::string url = meta["url"].GetString();
  EXPECT_TRUE(
      url.ends_with("/v1/Voice/Summaries?StartTime=1d&CallType=carrier,sip&PageSize=5&Page=0"))
      << url;
  EXPECT_EQ(std::string(meta["first_page_url"].GetString()), url);
  ASSERT_TRUE(meta["next_page_url"].IsString());

  const HttpResult second = get(target_of(meta["next_page_url"].GetString()));
  ASSERT_EQ(second.status, 200) << second.body;
  const auto next = parse_json(second.body);
  EXPECT_EQ(next["meta"]["page"].GetInt(), 1);
  ASSERT_TRUE(next["meta"]["previous_page_url"].IsString());
  // Going back returns the first page's items again.
  const HttpResult back = get(target_of(next["meta"]["previous_page_url"].GetString()));
  ASSERT_EQ(back.status, 200) << back.body;
  const auto previous = parse_json(back.body);
  ASSERT_EQ(previous["call_summaries"].Size(), document["call_summaries"].Size());
  for (rapidjson::SizeType i = 0; i < previous["call_summaries"].Size(); ++i) {
    EXPECT_STREQ(previous["call_summaries"][i]["call_sid"].GetString(),
                 document["call_summaries"][i]["call_sid"].GetString());
  }
}

TEST_F(SimServiceTest, WrongOrMissingCredentialsAre401With20003) {
  for (const std::string& authorization :
       {std::string(), basic_auth(kAccount, "wrong"), std::string("Bearer x")}) {
    const HttpResult result = client->get("/v1/Voice/Summaries", authorization);
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(parse_json(result.body)["code"].GetInt(), 20003);
  }
  // Admin routes are not API routes: no Twilio credentials needed, none accepted as API.
  EXPECT_EQ(admin("GET", "/_sim/health").status, 200);
  EXPECT_EQ(client->get("/v1/Voice/_sim/health", basic_auth(kAccount, kToken)).status, 404);
}

TEST_F(SimServiceTest, BadInputsGetTwilioErrorBodies) {
  const std::pair<std::string, int> cases[] = {
      {"/v1/Voice/Summaries?PageSize=0", 20001},
      {"/v1/Voice/Summaries?CallType=pstn", 20001},
      {"/v1/Voice/Summaries?HasTag=True", 20001},
      {"/v1/Voice/Summaries?StartTime=last-week", 20001},
      {"/v1/Voice/Summaries?PageToken=PTnonsense", 21481},
  };
  for (const auto& [target, code] : cases) {
    const HttpResult result = get(target);
    EXPECT_EQ(result.status, 400) << target;
    const auto body = parse_json(result.body);
    EXPECT_EQ(body["code"].GetInt(), code) << target;
    EXPECT_EQ(body["status"].GetInt(), 400);
    EXPECT_TRUE(body["message"].IsString());
    EXPECT_NE(std::string(body["more_info"].GetString()).find(std::to_string(code)),
              std::string::npos);
  }
  // A token is bound to its filters: replaying it with others is a foreign token.
  const auto first = parse_json(get("/v1/Voice/Summaries?StartTime=1d&PageSize=2").body);
  const std::string next = target_of(first["meta"]["next_page_url"].GetString());
  const std::string token = next.substr(next.find("PageToken="));
  const HttpResult foreign =
      get("/v1/Voice/Summaries?StartTime=1d&CallType=sip&PageSize=2&" + token);
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(parse_json(foreign.body)["code"].GetInt(), 21481);
  EXPECT_EQ(get("/v1/Voice/Nope").status, 404);
}

TEST_F(SimServiceTest, FiltersReturnOnlyMatchingCalls) {
  const std::pair<std::string, std::function<bool(const rapidjson::Value&)>> cases[] = {
      {"CallType=sip,client",
       [](const rapidjson::Value& s) {
         const std::string type = s["call_type"].GetString();
         return type == "sip" || type == "client";
       }},
      {"Direction=inbound",
       [](const rapidjson::Value& s) {
         return std::string(s["properties"]["direction"].GetString()) == "inbound";
       }},
      {"AbnormalSession=true",
       [](const rapidjson::Value& s) {
         return s["properties"]["last_sip_response_num"].GetInt() != 200;
       }},
      {"HasTag=true",
       [](const rapidjson::Value& s) { return s["tags"].IsArray() && s["tags"].Size() > 0; }},
      {"ProcessingState=partial",
       [](const rapidjson::Value& s) {
         return std::string(s["processing_state"].GetString()) == "partial";
       }},
  };
  for (const auto& [filter, predicate] : cases) {
    // 12 hours hold fewer than 1000 of the account's summaries: one page each.
    const HttpResult all =
        get("/v1/Voice/Summaries?StartTime=12h&PageSize=1000&ProcessingState=all");
    const HttpResult some =
        get("/v1/Voice/Summaries?StartTime=12h&PageSize=1000&" +
            (filter.starts_with("ProcessingState") ? filter : filter + "&ProcessingState=all"));
    ASSERT_EQ(some.status, 200) << filter << some.body.substr(0, 200);
    const auto everything = parse_json(all.body), filtered = parse_json(some.body);
    ASSERT_TRUE(everything["meta"]["next_page_url"].IsNull());
    std::size_t expected = 0;
    for (const auto& summary : everything["call_summaries"].GetArray())
      expected += predicate(summary);
    EXPECT_GT(expected, 0u) << filter << ": the data set should exercise this filter";
    EXPECT_EQ(filtered["call_summaries"].Size(), expected) << filter;
    for (const auto& summary : filtered["call_summaries"].GetArray()) {
      EXPECT_TRUE(predicate(summary)) << filter << ": " << summary["call_sid"].GetString();
    }
  }
  // Subaccount calls only show up when asked for.
  const auto accounts = store->account_sids();
  ASSERT_EQ(accounts.size(), 2u);
  const std::string subaccount = accounts[0] == kAccount ? accounts[1] : accounts[0];
  const auto sub = parse_json(
      get("/v1/Voice/Summaries?StartTime=3d&PageSize=1000&Subaccount=" + subaccount).body);
  ASSERT_GT(sub["call_summaries"].Size(), 0u);
  for (const auto& summary : sub["call_summaries"].GetArray()) {
    EXPECT_EQ(std::string(summary["account_sid"].GetString()), subaccount);
  }
  const auto own = parse_json(get("/v1/Voice/Summaries?StartTime=3d&PageSize=1000").body);
  for (const auto& summary : own["call_summaries"].GetArray()) {
    EXPECT_STREQ(summary["account_sid"].GetString(), kAccount);
  }
}

TEST_F(SimServiceTest, LifecycleTransitionsHappenAtTheConfiguredTimes) {
  // A call that ends well after the clock's start: hidden, then partial, then complete.
  const auto calls = store->calls_ending_in(kTestNoon + hours(1), kTestNoon + hours(2));
  const SimCall* call = nullptr;
  for (const SimCall* candidate : calls) {
    if (candidate->account_sid == kAccount) {
      call = candidate;
      break;
    }
  }
  ASSERT_NE(call, nullptr);
  const std::string single = "/v1/Voice/" + call->call_sid + "/Summary";
  auto set_clock = [&](SimTime time) {
    ASSERT_EQ(admin("POST", "/_sim/clock?set=" + format_time(time)).status, 200);
  };

  set_clock(call->partial_at - seconds(1));
  EXPECT_EQ(get(single + "?ProcessingState=partial").status, 404);

  set_clock(call->partial_at);
  const HttpResult partial = get(single + "?ProcessingState=partial");
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_STREQ(parse_json(partial.body)["processing_state"].GetString(), "partial");
  const HttpResult not_yet = get(single);
  EXPECT_EQ(not_yet.status, 404);
  EXPECT_EQ(parse_json(not_yet.body)["code"].GetInt(), 17001);

  set_clock(call->complete_at - seconds(1));
  EXPECT_EQ(parse_json(get(single).body)["code"].GetInt(), 17001);
  set_clock(call->complete_at);
  const HttpResult complete = get(single);
  ASSERT_EQ(complete.status, 200) << complete.body;
  EXPECT_STREQ(parse_json(complete.body)["processing_state"].GetString(), "complete");

  // The list sees the same transitions.
  const std::string window = "StartTime=" + format_time(call->start_time) +
                             "&EndTime=" + format_time(call->start_time + seconds(1)) +
                             "&ProcessingState=all";
  const auto listed = parse_json(get("/v1/Voice/Summaries?" + window).body);
  bool found = false;
  for (const auto& summary : listed["call_summaries"].GetArray()) {
    if (call->call_sid == summary["call_sid"].GetString()) {
      found = true;
      EXPECT_STREQ(summary["processing_state"].GetString(), "complete");
    }
  }
  EXPECT_TRUE(found);

  // Beyond 30 days the call is gone.
  set_clock(call->end_time + days(31));
  EXPECT_EQ(parse_json(get(single).body)["code"].GetInt(), 17002);
}

TEST_F(SimServiceTest, TheTruthMatchesWhatTheApiReturns) {
  const std::string start = format_time(kTestNoon - hours(6)), end = format_time(kTestNoon);
  const auto expected = truth(start, end);
  const auto listed = parse_json(get("/v1/Voice/Summaries?StartTime=" + start + "&EndTime=" + end +
                                     "&ProcessingState=all&PageSize=1000")
                                     .body);
  std::map<std::string, std::string> got;
  for (const auto& summary : listed["call_summaries"].GetArray()) {
    got[summary["call_sid"].GetString()] = summary["processing_state"].GetString();
  }
  EXPECT_EQ(got, expected);
  bool some_partial = false;
  for (const auto& [sid, state] : expected)
    some_partial |= state == "partial";
  EXPECT_TRUE(some_partial) << "the last half hour should hold partial summaries";
}

TEST_F(SimServiceTest, CallsThatAppearWhilePagingAreSeenAfterTheCursor) {
  // The last hour at kTestNoon: some calls there are still hidden (they end later, or Twilio has
  // not made their partial summary yet). Page slowly while the clock moves on.
  const std::string target = "/v1/Voice/Summaries?StartTime=" + format_time(kTestNoon - hours(1)) +
                             "&EndTime=" + format_time(kTestNoon) +
                             "&ProcessingState=all&PageSize=3";
  const auto at_start = truth(format_time(kTestNoon - hours(1)), format_time(kTestNoon));
  const auto seen = walk_pages(target, [&](int page) {
    if (page > 0)
      admin("POST", "/_sim/clock?advance=120");
  });
  const auto later = truth(format_time(kTestNoon - hours(1)), format_time(kTestNoon));
  EXPECT_GT(later.size(), at_start.size()) << "calls should have appeared meanwhile";
  EXPECT_GT(seen.size(), at_start.size()) << "the walk should have seen some of them";
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << "no call twice";
  for (const auto& sid : seen)
    EXPECT_TRUE(later.contains(sid)) << sid;
}

TEST_F(EndTimeFilterSimTest, WindowsApplyToEndTimeWhenConfigured) {
  const SimTime from = kTestNoon - hours(3), to = kTestNoon - hours(2);
  const auto seen = walk_pages("/v1/Voice/Summaries?StartTime=" + format_time(from) + "&EndTime=" +
                               format_time(to) + "&ProcessingState=all&SortBy=end_time&PageSize=7");
  std::set<std::string> expected;
  for (const SimCall* call : store->calls_ending_in(from, to)) {
    if (call->account_sid == kAccount)
      expected.insert(call->call_sid);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  EXPECT_EQ(seen.size(), expected.size());
}

TEST_F(SimServiceTest, ServerErrorsAndMalformedBodiesFireAtTheirRates) {
  ASSERT_EQ(admin("POST", "/_sim/faults?server_error_rate=0.3&malformed_rate=0.2").status, 200);
  int server_errors = 0, malformed = 0, fine = 0;
  constexpr int kRequests = 400;
  for (int i = 0; i < kRequests; ++i) {
    const HttpResult result = get("/v1/Voice/Summaries?StartTime=2h&PageSize=3");
    ASSERT_TRUE(result.ok()) << result.error;
    if (result.status >= 500) {
      ++server_errors;
      EXPECT_EQ(parse_json(result.body)["code"].GetInt(), 20500);
    } else {
      rapidjson::Document document;
      document.Parse(result.body.c_str(), result.body.size());
      (document.HasParseError() ? malformed : fine)++;
    }
  }
  EXPECT_NEAR(server_errors / double(kRequests), 0.3, 0.08);
  EXPECT_NEAR(malformed / double(kRequests - server_errors), 0.2, 0.08);
  EXPECT_GT(fine, 0);
}

TEST_F(SimServiceTest, ResetsAndTruncationsBreakTheTransfer) {
  ASSERT_EQ(admin("POST", "/_sim/faults?reset_rate=0.5&truncate_rate=0.5").status, 200);
  int resets = 0, truncations = 0, complete = 0;
  for (int i = 0; i < 60; ++i) {
    const HttpResult result = get("/v1/Voice/Summaries?StartTime=1d&PageSize=200");
    if (result.transport == TransportError::connection_reset)
      ++resets;
    if (result.transport == TransportError::closed_early)
      ++truncations;
    if (result.ok())
      ++complete;
  }
  EXPECT_GT(resets, 10);
  EXPECT_GT(truncations, 5);
  EXPECT_EQ(resets + truncations + complete, 60);
  // The server keeps serving once the faults stop.
  ASSERT_EQ(admin("POST", "/_sim/faults?reset_rate=0&truncate_rate=0").status, 200);
  EXPECT_EQ(get("/v1/Voice/Summaries").status, 200);
}

TEST_F(SimServiceTest, LatencySpikesDelayTheirShareOfRequestsAndAreCounted) {
  ASSERT_EQ(admin("POST", "/_sim/faults?spike_rate=0.5&spike_ms=150").status, 200);
  int slow = 0;
  constexpr int kRequests = 40;
  for (int i = 0; i < kRequests; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(get("/v1/Voice/Summaries?StartTime=2h&PageSize=3").status, 200);
    slow += std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150);
  }
  const int spikes = parse_json(admin("GET", "/_sim/stats").body)["spikes"].GetInt();
  EXPECT_GT(spikes, 5);
  EXPECT_LT(spikes, kRequests - 5);
  // Every spiked request waited the spike out; an unspiked one is far quicker than 150 ms
  // (allowing a few slow ones on a loaded machine).
  EXPECT_GE(slow, spikes);
  EXPECT_LE(slow, spikes + kRequests / 10);
}

TEST_F(SimServiceTest, ConcurrencyCapAnswers429WithRetryAfter) {
  ASSERT_EQ(
      admin("POST", "/_sim/faults?concurrency_cap=2&latency_ms=300&retry_after_fraction=1").status,
      200);
  std::atomic<int> limited{0}, served{0}, with_retry_after{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&] {
      HttpTestClient own(client_options());
      const HttpResult result = own.get("/v1/Voice/Summaries", basic_auth(kAccount, kToken));
      if (result.status == 429) {
        ++limited;
        if (result.header("Retry-After") == "1")
          ++with_retry_after;
        EXPECT_EQ(parse_json(result.body)["code"].GetInt(), 20429);
      } else if (result.status == 200) {
        ++served;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(served.load(), 2);
  EXPECT_EQ(limited.load(), 3);
  EXPECT_EQ(with_retry_after.load(), 3);
  const auto stats = parse_json(admin("GET", "/_sim/stats").body);
  EXPECT_EQ(stats["rate_limited"].GetInt(), 3);
}

}  // namespace
}  // namespace insights::sim
