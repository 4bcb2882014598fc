#include "sim/call_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/call_generator.hpp"
#include "sim/summary_renderer.hpp"
#include "tests/support/sim_credentials.hpp"

namespace insights::sim {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

constexpr std::int64_t kFirstHour = 490000;  // 2025-11-24T16:00:00Z
const SimTime kStart{hours(kFirstHour)};

GeneratorOptions two_parents(std::uint64_t seed = 42) {
  GeneratorOptions options;
  options.seed = seed;
  options.calls_per_hour = 120;
  options.accounts = {testing::kSimAccount, "ACabcdefabcdefabcdefabcdefabcdef12"};
  options.subaccounts_per_account = 2;
  return options;
}

std::string render_complete(const SimCall& call) {
  std::string json;
  append_summary_json(json, call, snapshot_at(call, call.complete_at),
                      "https://insights.twilio.com/v1/Voice/Summaries");
  return json;
}

TEST(CallStoreTest, SameSeedGivesByteIdenticalSummaries) {
  CallStore first(two_parents(42));
  CallStore second(two_parents(42));
  const auto a = first.calls_starting_in(kStart, kStart + hours(24));
  const auto b = second.calls_starting_in(kStart, kStart + hours(24));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i]->call_sid, b[i]->call_sid);
    ASSERT_EQ(render_complete(*a[i]), render_complete(*b[i])) << a[i]->call_sid;
  }
}

TEST(CallStoreTest, DifferentSeedGivesDifferentData) {
  CallStore first(two_parents(42));
  CallStore second(two_parents(43));
  const auto a = first.calls_starting_in(kStart, kStart + hours(1));
  const auto b = second.calls_starting_in(kStart, kStart + hours(1));
  ASSERT_EQ(a.size(), b.size());
  std::set<std::string> sids_a, sids_b;
  for (const auto* call : a)
    sids_a.insert(call->call_sid);
  for (const auto* call : b)
    sids_b.insert(call->call_sid);
  std::vector<std::string> common;
  std::set_intersection(sids_a.begin(), sids_a.end(), sids_b.begin(), sids_b.end(),
                        std::back_inserter(common));
  EXPECT_TRUE(common.empty());
  int same_start = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    same_start += a[i]->start_time == b[i]->start_time;
  EXPECT_LT(same_start, 20);
}

TEST(CallStoreTest, EachParentGetsExactlyCallsPerHourEveryHour) {
  CallStore store(two_parents());
  for (int h = 0; h < 48; ++h) {
    const SimTime from = kStart + hours(h);
    EXPECT_EQ(store.calls_starting_in(from, from + hours(1)).size(), 240u) << "hour " << h;
  }
  EXPECT_EQ(store.calls_starting_in(kStart, kStart + hours(48)).size(), 48u * 240u);
}

TEST(CallStoreTest, ZeroCallsPerHourIsAnEmptyDataSet) {
  auto options = two_parents();
  options.calls_per_hour = 0;
  CallStore store(options);
  EXPECT_TRUE(store.calls_starting_in(kStart, kStart + hours(24)).empty());
  EXPECT_TRUE(store.calls_ending_in(kStart, kStart + hours(24)).empty());
}

TEST(CallStoreTest, StartingInIsSortedAndHonoursHalfOpenBounds) {
  CallStore store(two_parents());
  const auto day = store.calls_starting_in(kStart, kStart + hours(24));
  ASSERT_FALSE(day.empty());
  for (std::size_t i = 1; i < day.size(); ++i) {
    ASSERT_LE(std::tie(day[i - 1]->start_time, day[i - 1]->call_sid),
              std::tie(day[i]->start_time, day[i]->call_sid));
    ASSERT_NE(day[i - 1]->call_sid, day[i]->call_sid);
  }
  // Bounds that fall on calls' own start times and mid-hour.
  const SimTime from = day[100]->start_time;
  const SimTime to = day[400]->start_time;
  const auto slice = store.calls_starting_in(from, to);
  std::vector<const SimCall*> expected;
  for (const auto* call : day) {
    if (call->start_time >= from && call->start_time < to)
      expected.push_back(call);
  }
  EXPECT_EQ(slice, expected);
  EXPECT_EQ(slice.front()->start_time, from);
  EXPECT_TRUE(store.calls_starting_in(to, from).empty());
  EXPECT_TRUE(store.calls_starting_in(from, from).empty());
}

TEST(CallStoreTest, EndingInFindsLongCallsThatStartedHoursEarlier) {
  auto options = two_parents();
  options.long_call_fraction = 0.3;
  options.longest_call_seconds = 4 * 3600;
  CallStore store(options);
  const SimTime from = kStart + hours(10) + seconds(1234);
  const SimTime to = from + hours(3);

  // Brute force over every call that could end in the window.
  std::vector<const SimCall*> expected;
  for (const auto* call : store.calls_starting_in(from - hours(6), to)) {
    if (call->end_time >= from && call->end_time < to)
      expected.push_back(call);
  }
  std::sort(expected.begin(), expected.end(), [](const SimCall* a, const SimCall* b) {
    return std::tie(a->end_time, a->call_sid) < std::tie(b->end_time, b->call_sid);
  });
  const auto found = store.calls_ending_in(from, to);
  EXPECT_EQ(found, expected);

  const auto started_long_before = std::count_if(found.begin(), found.end(), [&](const SimCall* c) {
    return c->start_time < from - hours(2);
  });
  EXPECT_GT(started_long_before, 0) << "no call in the window started two hours before it";
}

TEST(CallStoreTest, FindLocatesEveryGeneratedCallEvenInAFreshStore) {
  CallStore store(two_parents());
  CallStore fresh(two_parents());
  const auto calls = store.calls_starting_in(kStart, kStart + hours(6));
  for (const auto* call : calls) {
    ASSERT_EQ(store.find(call->call_sid), call);
    const SimCall* regenerated = fresh.find(call->call_sid);
    ASSERT_NE(regenerated, nullptr) << call->call_sid;
    ASSERT_EQ(regenerated->start_time, call->start_time);
    ASSERT_EQ(render_complete(*regenerated), render_complete(*call));
  }
}

TEST(CallStoreTest, FindRejectsUnknownSids) {
  CallStore store(two_parents());
  const std::string real = store.calls_starting_in(kStart, kStart + hours(1)).front()->call_sid;
  std::string wrong_hash = real;
  wrong_hash.back() = wrong_hash.back() == '0' ? '1' : '0';
  std::string upper = real;
  std::transform(upper.begin() + 2, upper.end(), upper.begin() + 2,
                 [](char c) { return static_cast<char>(std::toupper(c)); });

  EXPECT_EQ(store.find(wrong_hash), nullptr);
  EXPECT_EQ(store.find(real.substr(0, 33)), nullptr);
  EXPECT_EQ(store.find(real + "0"), nullptr);
  EXPECT_EQ(store.find("CAxyz00000000000000000000000000000"), nullptr);
  EXPECT_EQ(store.find("CA00000000000000000000000000000000"), nullptr);
  EXPECT_EQ(store.find(""), nullptr);
  if (upper != real) {
    EXPECT_EQ(store.find(upper), nullptr);
  }
  // Layout fields out of range: parent index 0x00ff, call index 0x0fff.
  EXPECT_EQ(store.find(real.substr(0, 10) + "00ff" + real.substr(14)), nullptr);
  EXPECT_EQ(store.find(real.substr(0, 14) + "0fff" + real.substr(18)), nullptr);
  // A SID from another seed.
  CallStore other(two_parents(7));
  EXPECT_EQ(store.find(other.calls_starting_in(kStart, kStart + hours(1)).front()->call_sid),
            nullptr);
}

TEST(CallStoreTest, SidsAreUniqueWellFormedAndEncodeTheirHour) {
  CallStore store(two_parents());
  std::set<std::string> sids;
  for (int h = 0; h < 24 * 7; ++h) {
    const SimTime from = kStart + hours(h);
    for (const auto* call : store.calls_starting_in(from, from + hours(1))) {
      ASSERT_EQ(call->call_sid.size(), 34u);
      ASSERT_EQ(call->call_sid.substr(0, 2), "CA");
      ASSERT_EQ(call->call_sid.find_first_not_of("0123456789abcdef", 2), std::string::npos);
      ASSERT_EQ(std::stoll(call->call_sid.substr(2, 8), nullptr, 16), kFirstHour + h);
      ASSERT_TRUE(sids.insert(call->call_sid).second) << "duplicate " << call->call_sid;
    }
  }
  EXPECT_EQ(sids.size(), 24u * 7u * 240u);
}

TEST(CallStoreTest, CallsSpreadOverParentsAndDerivedSubaccounts) {
  CallStore store(two_parents());
  const auto accounts = store.account_sids();
  ASSERT_EQ(accounts.size(), 6u);
  EXPECT_TRUE(std::is_sorted(accounts.begin(), accounts.end()));
  EXPECT_EQ(std::set<std::string>(accounts.begin(), accounts.end()).size(), 6u);
  for (const auto& sid : accounts) {
    EXPECT_EQ(sid.size(), 34u);
    EXPECT_EQ(sid.substr(0, 2), "AC");
  }
  // Subaccounts derive from the parent SID alone, not from the seed.
  EXPECT_EQ(CallStore(two_parents(99)).account_sids(), accounts);

  std::map<std::string, int> per_account;
  for (const auto* call : store.calls_starting_in(kStart, kStart + hours(24))) {
    ++per_account[call->account_sid];
  }
  ASSERT_EQ(per_account.size(), 6u);
  for (const auto& sid : accounts)
    EXPECT_GT(per_account[sid], 100) << sid;
}

TEST(CallStoreTest, AnnotationEditsStopAtTheLatestAgeAsked) {
  auto options = two_parents();
  options.annotation_edit_fraction = 1.0;
  options.latest_annotation_edit_hours = 48;
  CallStore store(options);
  int edits = 0;
  for (const auto* call : store.calls_starting_in(kStart, kStart + hours(6))) {
    for (const auto& edit : call->annotation_edits) {
      ++edits;
      ASSERT_GE(edit, call->complete_at + hours(1));
      ASSERT_LE(edit, call->complete_at + hours(48) + seconds(2));
    }
  }
  EXPECT_GT(edits, 100);
  options.latest_annotation_edit_hours = 697;
  EXPECT_FALSE(generator_option_problems(options).empty());
}

TEST(CallStoreTest, GeneratedTimesAreConsistent) {
  const auto options = two_parents();
  CallStore store(options);
  int queued = 0, long_calls = 0, edited = 0, late_edits = 0;
  const std::set<std::string> connected_states{"completed", "answered"};
  for (const auto* call : store.calls_starting_in(kStart, kStart + hours(24))) {
    ASSERT_LE(call->created_time, call->start_time);
    queued += call->created_time < call->start_time;
    ASSERT_EQ(call->end_time, call->start_time + seconds(call->duration));
    ASSERT_LE(call->duration, options.longest_call_seconds);
    ASSERT_LE(call->connect_duration, call->duration);
    ASSERT_GE(call->connect_duration, 0);
    if (!connected_states.contains(call->call_state)) {
      ASSERT_EQ(call->connect_duration, 0) << call->call_state;
      ASSERT_LE(call->duration, 60) << call->call_state;
      ASSERT_NE(call->last_sip_response, 200);
    } else {
      ASSERT_EQ(call->last_sip_response, 200);
    }
    long_calls += call->duration > 1800;
    ASSERT_GE(call->partial_at, call->end_time + seconds(options.partial_delay_min));
    ASSERT_LE(call->partial_at, call->end_time + seconds(options.partial_delay_max));
    ASSERT_GE(call->complete_at, call->end_time + seconds(options.complete_delay_min));
    ASSERT_LE(call->complete_at, call->end_time + seconds(options.complete_delay_max));
    ASSERT_GT(call->complete_at, call->partial_at);
    ASSERT_TRUE(std::is_sorted(call->annotation_edits.begin(), call->annotation_edits.end()));
    for (const auto& edit : call->annotation_edits) {
      ASSERT_GE(edit, call->complete_at + hours(1));
      ASSERT_LE(edit, call->complete_at + days(29) + seconds(2));
      late_edits += edit > call->complete_at + days(2) + seconds(2);
      // Within Twilio's retention, so a client can still read it.
      ASSERT_LT(edit, call->start_time + days(30));
    }
    edited += !call->annotation_edits.empty();
  }
  EXPECT_GT(late_edits, 0) << "annotations are edited at any age within retention";
  EXPECT_GT(queued, 0);
  EXPECT_GT(long_calls, 0);
  EXPECT_GT(edited, 100);  // 5% of 5,760
  EXPECT_LT(edited, 500);
}

TEST(CallStoreTest, AMonthOfCallsIsServedWithoutScanningItAll) {
  auto options = two_parents();
  options.accounts.resize(1);
  CallStore store(options);
  const SimTime month_start = kStart;
  const SimTime month_end = kStart + hours(24 * 30);
  EXPECT_EQ(store.calls_starting_in(month_start, month_end).size(), 86400u);
  // With the month cached, day and hour queries only touch their own hours (plus look-back).
  const auto started = std::chrono::steady_clock::now();
  std::size_t found = 0;
  for (int day = 1; day < 29; ++day) {
    found +=
        store.calls_ending_in(month_start + hours(24 * day), month_start + hours(24 * day + 24))
            .size();
    found +=
        store.calls_starting_in(month_start + hours(24 * day), month_start + hours(24 * day + 1))
            .size();
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GT(found, 28u * 2880u);
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

TEST(CallStoreTest, InvalidOptionsReportEveryProblemAtOnce) {
  GeneratorOptions options;
  options.calls_per_hour = -1;
  options.accounts = {"ACnothex"};
  options.partial_delay_min = 700;  // above partial_delay_max
  options.long_call_fraction = 1.5;
  try {
    CallStore store(options);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("calls_per_hour"), std::string::npos) << message;
    EXPECT_NE(message.find("ACnothex"), std::string::npos) << message;
    EXPECT_NE(message.find("partial delays"), std::string::npos) << message;
    EXPECT_NE(message.find("long_call_fraction"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace insights::sim
