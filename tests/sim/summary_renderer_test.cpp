#include "sim/summary_renderer.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/call_store.hpp"
#include "tests/support/sim_credentials.hpp"

namespace insights::sim {
namespace {

using rapidjson::Value;
using std::chrono::hours;

const SimTime kRenderStart{hours(490000)};
constexpr const char* kListUrl = "https://insights.twilio.com/v1/Voice/Summaries";

GeneratorOptions test_options() {
  GeneratorOptions options;
  options.seed = 2024;
  options.accounts = {testing::kSimAccount, "ACabcdefabcdefabcdefabcdefabcdef12"};
  options.subaccounts_per_account = 2;
  return options;
}

std::string render(const SimCall& call, SimTime now, const std::string& url = kListUrl) {
  std::string json;
  append_summary_json(json, call, snapshot_at(call, now), url);
  return json;
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  EXPECT_FALSE(document.HasParseError()) << json;
  EXPECT_TRUE(document.IsObject()) << json;
  return document;
}

// The member's string value; nullopt when the key is missing or null.
std::optional<std::string> text(const Value& object, const char* key) {
  if (!object.IsObject())
    return std::nullopt;
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull())
    return std::nullopt;
  EXPECT_TRUE(it->value.IsString()) << key;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

const Value* member(const Value& object, const char* key) {
  if (!object.IsObject())
    return nullptr;
  const auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool is_null_or_missing(const Value& object, const char* key) {
  const Value* value = member(object, key);
  return value == nullptr || value->IsNull();
}

std::string iso_time(SimTime instant) {
  const std::time_t epoch_seconds = instant.time_since_epoch().count();
  std::tm utc{};
  gmtime_r(&epoch_seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string serialize(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

class SummaryRendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    calls_ = store_.calls_starting_in(kRenderStart, kRenderStart + hours(24));
  }

  CallStore store_{test_options()};
  std::vector<const SimCall*> calls_;  // 5,760 calls
};

// The facts the sim filters on must be exactly what it serves.
void expect_facts_agree(const SimCall& call, const Value& item, bool complete) {
  SCOPED_TRACE(call.call_sid);
  EXPECT_EQ(text(item, "call_sid"), call.call_sid);
  EXPECT_EQ(text(item, "account_sid"), call.account_sid);
  EXPECT_EQ(text(item, "call_type"), call.call_type);
  EXPECT_EQ(text(item, "call_state"), call.call_state);
  EXPECT_EQ(text(item, "processing_state"), complete ? "complete" : "partial");
  EXPECT_EQ(text(item, "answered_by"), call.answered_by);
  EXPECT_EQ(text(item, "start_time"), iso_time(call.start_time));
  EXPECT_EQ(text(item, "end_time"), iso_time(call.end_time));
  if (member(item, "created_time") != nullptr) {
    EXPECT_EQ(text(item, "created_time"), iso_time(call.created_time));
  }
  EXPECT_EQ(item["duration"].GetInt(), complete ? call.duration : 0);
  EXPECT_EQ(item["connect_duration"].GetInt(), complete ? call.connect_duration : 0);

  const Value& from = item["from"];
  const Value& to = item["to"];
  EXPECT_EQ(text(from, "caller"), call.from_caller);
  EXPECT_EQ(text(to, "callee"), call.to_callee);
  EXPECT_EQ(text(from, "carrier"), call.from_carrier);
  EXPECT_EQ(text(to, "carrier"), call.to_carrier);
  EXPECT_EQ(text(from, "country_code"), call.from_country_code);
  EXPECT_EQ(text(to, "country_code"), call.to_country_code);

  const Value& properties = item["properties"];
  EXPECT_EQ(text(properties, "direction"), call.direction);
  EXPECT_EQ(properties["last_sip_response_num"].GetInt(), call.last_sip_response);

  bool verified = false, branded = false;
  if (const Value* trust = member(item, "trust"); trust != nullptr && !trust->IsNull()) {
    if (const Value* caller = member(*trust, "verified_caller")) {
      verified = (*caller)["verified"].GetBool();
    }
    if (const Value* brand = member(*trust, "branded"))
      branded = (*brand)["enabled"].GetBool();
  }
  EXPECT_EQ(verified, call.verified_caller);
  EXPECT_EQ(branded, call.branded_enabled);

  if (complete) {
    const Value& tags = item["tags"];
    if (call.complete_tags.empty()) {
      EXPECT_TRUE(tags.IsNull());
    } else {
      ASSERT_TRUE(tags.IsArray());
      std::vector<std::string> served;
      for (const auto& tag : tags.GetArray())
        served.emplace_back(tag.GetString());
      EXPECT_EQ(served, call.complete_tags);
    }
  }
}

TEST_F(SummaryRendererTest, FilterFactsAgreeWithTheSimCallInBothStates) {
  for (const SimCall* call : calls_) {
    expect_facts_agree(*call, parse(render(*call, call->complete_at)), true);
    expect_facts_agree(*call, parse(render(*call, call->partial_at)), false);
    if (HasFailure())
      return;
  }
}

TEST_F(SummaryRendererTest, EveryCallTypeAppearsWithItsEdges) {
  // Edges a complete, connected call of each type may have (sdk_edge only when the SDK
  // reported); the others must be null.
  const std::map<std::string, std::set<std::string>> edges_by_type{
      {"carrier", {"carrier_edge"}},
      {"trunking", {"sip_edge", "carrier_edge"}},
      {"sip", {"sip_edge"}},
      {"whatsapp", {"sip_edge"}},
      {"client", {"client_edge", "sdk_edge"}},
  };
  std::map<std::string, int> seen_types;
  int client_with_sdk = 0;
  for (const SimCall* call : calls_) {
    ++seen_types[call->call_type];
    if (call->call_state != "completed")
      continue;
    const auto item = parse(render(*call, call->complete_at));
    std::set<std::string> present;
    for (const char* edge : {"sdk_edge", "sip_edge", "client_edge", "carrier_edge"}) {
      ASSERT_NE(member(item, edge), nullptr) << "edge keys are always present: " << edge;
      if (!item[edge].IsNull())
        present.insert(edge);
    }
    const auto& expected = edges_by_type.at(call->call_type);
    if (call->call_type == "client") {
      EXPECT_TRUE(present.contains("client_edge"));
      client_with_sdk += present.contains("sdk_edge");
    }
    for (const auto& edge : present)
      EXPECT_TRUE(expected.contains(edge)) << call->call_type << " " << edge;
    if (call->call_type != "client") {
      EXPECT_EQ(present, expected) << call->call_sid;
    }
    // Connected calls' gateway edges carry metrics with codec and loss figures.
    for (const auto& edge : present) {
      if (edge == "sdk_edge")
        continue;
      const Value* metrics = member(item[edge.c_str()], "metrics");
      if (metrics == nullptr)
        continue;  // trunking carrier edges may report properties only
      for (const char* direction : {"inbound", "outbound"}) {
        if (const Value* stream = member(*metrics, direction)) {
          EXPECT_TRUE((*stream)["codec"].IsInt());
          EXPECT_TRUE((*stream)["codec_name"].IsString());
          EXPECT_TRUE((*stream)["packets_loss_percentage"].IsNumber());
          EXPECT_TRUE((*stream)["jitter"]["avg"].IsNumber());
        }
      }
    }
  }
  for (const auto& [type, edges] : edges_by_type)
    EXPECT_GT(seen_types[type], 100) << type;
  EXPECT_GT(client_with_sdk, 100);
}

TEST_F(SummaryRendererTest, SdkEdgeCarriesMosAndRtt) {
  int checked = 0;
  for (const SimCall* call : calls_) {
    if (call->call_type != "client" || call->call_state != "completed")
      continue;
    const auto item = parse(render(*call, call->complete_at));
    if (item["sdk_edge"].IsNull())
      continue;
    const Value& inbound = item["sdk_edge"]["metrics"]["inbound"];
    EXPECT_TRUE(inbound["mos"]["avg"].IsNumber());
    EXPECT_TRUE(inbound["rtt"]["avg"].IsNumber());
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST_F(SummaryRendererTest, OlderPayloadsOmitNewerKeys) {
  int without_created = 0, without_annotation_only = 0;
  for (const SimCall* call : calls_) {
    const auto item = parse(render(*call, call->complete_at));
    if (member(item, "created_time") == nullptr) {
      ++without_created;
      EXPECT_EQ(member(item, "answered_by"), nullptr);
      EXPECT_EQ(member(item, "trust"), nullptr);
      EXPECT_EQ(member(item, "annotation"), nullptr);
      EXPECT_FALSE(call->answered_by.has_value());
      EXPECT_FALSE(call->verified_caller);
      EXPECT_TRUE(call->annotation_edits.empty());
    } else if (member(item, "annotation") == nullptr) {
      ++without_annotation_only;
      EXPECT_NE(member(item, "trust"), nullptr);
      EXPECT_NE(member(item, "answered_by"), nullptr);
      EXPECT_TRUE(call->annotation_edits.empty());
    } else {
      EXPECT_NE(member(item, "trust"), nullptr);
      EXPECT_NE(member(item, "answered_by"), nullptr);
    }
  }
  // ~3% and ~2.5% of 5,760.
  EXPECT_GT(without_created, 100);
  EXPECT_LT(without_created, 260);
  EXPECT_GT(without_annotation_only, 80);
  EXPECT_LT(without_annotation_only, 230);
}

TEST_F(SummaryRendererTest, SomeItemsCarryUnknownExtraKeys) {
  int agent_sessions = 0, future = 0;
  for (const SimCall* call : calls_) {
    const auto item = parse(render(*call, call->complete_at));
    if (const Value* sessions = member(item, "agent_session_summaries")) {
      ++agent_sessions;
      ASSERT_TRUE(sessions->IsArray());
      EXPECT_TRUE((*sessions)[0]["session_id"].IsString());
    }
    if (const Value* field = member(item, "future_field")) {
      ++future;
      EXPECT_TRUE(field->IsObject());
    }
  }
  EXPECT_GT(agent_sessions, 20);
  EXPECT_GT(future, 20);
}

TEST_F(SummaryRendererTest, NonAsciiCarrierAndCityNamesAppear) {
  std::set<std::string> non_ascii_names;
  for (const SimCall* call : calls_) {
    const auto item = parse(render(*call, call->complete_at));
    for (const char* party : {"from", "to"}) {
      for (const char* key : {"carrier", "city"}) {
        const auto name = text(item[party], key);
        if (name && std::any_of(name->begin(), name->end(),
                                [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
          non_ascii_names.insert(*name);
        }
      }
    }
  }
  EXPECT_TRUE(non_ascii_names.contains("Telefônica Brasil"));
  EXPECT_TRUE(non_ascii_names.contains("東京"));
  EXPECT_GT(non_ascii_names.size(), 8u);
}

TEST_F(SummaryRendererTest, CompleteTagsAreNullWhenEmptyAndAListOtherwise) {
  int null_tags = 0, listed_tags = 0;
  for (const SimCall* call : calls_) {
    const auto item = parse(render(*call, call->complete_at));
    null_tags += item["tags"].IsNull();
    listed_tags += item["tags"].IsArray();
    if (item["tags"].IsArray()) {
      EXPECT_GT(item["tags"].Size(), 0u);
    }
  }
  EXPECT_GT(null_tags, 2000);
  EXPECT_GT(listed_tags, 500);
}

TEST_F(SummaryRendererTest, PartialSummariesLookUnfinished) {
  int null_tags = 0, empty_tags = 0, without_edges = 0;
  for (const SimCall* call : calls_) {
    const auto item = parse(render(*call, call->partial_at));
    EXPECT_EQ(item["duration"].GetInt(), 0);
    EXPECT_EQ(item["connect_duration"].GetInt(), 0);
    EXPECT_TRUE(item["attributes"].IsNull());
    EXPECT_EQ(text(item["properties"], "disconnected_by"), "unknown_disconnected_by");
    EXPECT_TRUE(is_null_or_missing(item, "annotation"));
    null_tags += item["tags"].IsNull();
    if (item["tags"].IsArray()) {
      EXPECT_EQ(item["tags"].Size(), 0u);
      ++empty_tags;
    }
    without_edges += item["sdk_edge"].IsNull() && item["sip_edge"].IsNull() &&
                     item["client_edge"].IsNull() && item["carrier_edge"].IsNull();
  }
  EXPECT_GT(null_tags, 1000);
  EXPECT_GT(empty_tags, 1000);
  EXPECT_GT(without_edges, static_cast<int>(calls_.size() * 6 / 10));
  EXPECT_LT(without_edges, static_cast<int>(calls_.size()));
}

TEST_F(SummaryRendererTest, PartiesAndTrustAreTheSameInPartialAndComplete) {
  for (const SimCall* call : calls_) {
    const auto partial = parse(render(*call, call->partial_at));
    const auto complete = parse(render(*call, call->complete_at));
    ASSERT_EQ(serialize(partial["from"]), serialize(complete["from"])) << call->call_sid;
    ASSERT_EQ(serialize(partial["to"]), serialize(complete["to"])) << call->call_sid;
    if (member(complete, "trust") != nullptr) {
      ASSERT_EQ(serialize(partial["trust"]), serialize(complete["trust"])) << call->call_sid;
    }
  }
}

TEST_F(SummaryRendererTest, AnnotationChangesWithEachEditAndNothingElseDoes) {
  int edited_calls = 0, annotated_at_completion = 0;
  for (const SimCall* call : calls_) {
    auto previous = parse(render(*call, call->complete_at));
    if (const Value* annotation = member(previous, "annotation")) {
      annotated_at_completion += annotation->IsObject();
    }
    if (call->annotation_edits.empty())
      continue;
    ++edited_calls;
    for (const SimTime edit : call->annotation_edits) {
      auto current = parse(render(*call, edit));
      ASSERT_TRUE(current["annotation"].IsObject()) << call->call_sid;
      const Value& annotation = current["annotation"];
      EXPECT_TRUE(annotation["answered_by"].IsString());
      EXPECT_TRUE(annotation["connectivity_issue"].IsString());
      EXPECT_TRUE(annotation["quality_issues"].IsArray());
      EXPECT_TRUE(annotation["spam"].IsBool());
      const int score = annotation["call_score"].GetInt();
      EXPECT_GE(score, 1);
      EXPECT_LE(score, 5);
      EXPECT_NE(serialize(current["annotation"]), serialize(previous["annotation"]))
          << call->call_sid;
      // Everything but the annotation stays as it was.
      current.RemoveMember("annotation");
      rapidjson::Document before;
      before.CopyFrom(previous, before.GetAllocator());
      before.RemoveMember("annotation");
      EXPECT_EQ(serialize(current), serialize(before));
      previous = parse(render(*call, edit));
    }
  }
  EXPECT_GT(edited_calls, 150);
  EXPECT_GT(annotated_at_completion, 200);
}

TEST_F(SummaryRendererTest, SubaccountCallsAreServedUnderTheSubaccountSid) {
  const auto accounts = store_.account_sids();
  std::set<std::string> served;
  for (const SimCall* call : calls_) {
    served.insert(*text(parse(render(*call, call->complete_at)), "account_sid"));
  }
  EXPECT_EQ(served, std::set<std::string>(accounts.begin(), accounts.end()));
}

TEST_F(SummaryRendererTest, UrlIsTheArgumentAndRenderingAppends) {
  const SimCall& call = *calls_.front();
  const std::string url = "https://insights.twilio.com/v1/Voice/" + call.call_sid + "/Summary";
  std::string out = "prefix,";
  append_summary_json(out, call, snapshot_at(call, call.complete_at), url);
  ASSERT_EQ(out.substr(0, 7), "prefix,");
  EXPECT_EQ(text(parse(out.substr(7)), "url"), url);

  const std::string odd_url = "http://127.0.0.1:8443/v1/Voice/Summaries?From=\"a\\b\"";
  EXPECT_EQ(text(parse(render(call, call.complete_at, odd_url)), "url"), odd_url);
}

TEST_F(SummaryRendererTest, RenderingIsDeterministic) {
  for (const SimCall* call : calls_) {
    ASSERT_EQ(render(*call, call->complete_at), render(*call, call->complete_at));
    ASSERT_EQ(render(*call, call->partial_at), render(*call, call->partial_at));
  }
}

TEST_F(SummaryRendererTest, MetricsAgreeWithQualityTags) {
  int checked = 0;
  for (const SimCall* call : calls_) {
    if (call->call_type != "carrier" || call->complete_tags.empty() ||
        call->complete_tags.front() != "high_packet_loss") {
      continue;
    }
    const auto item = parse(render(*call, call->complete_at));
    const Value& metrics = item["carrier_edge"]["metrics"];
    for (const auto& stream : metrics.GetObject()) {
      EXPECT_GT(stream.value["packets_loss_percentage"].GetDouble(), 5.0) << call->call_sid;
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace insights::sim
