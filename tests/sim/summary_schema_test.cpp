// Every summary the sim renders must validate against Twilio's own OpenAPI schema for list
// items (`insights.v1.call_summaries`), so the daemon is never tested against shapes the real
// service could not send. RapidJSON validates JSON Schema draft-04; the OpenAPI 3 schema is
// translated first (see to_json_schema).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/call_store.hpp"
#include "sim/summary_renderer.hpp"
#include "tests/support/sim_credentials.hpp"

namespace insights::sim {
namespace {

using rapidjson::Document;
using rapidjson::Value;
using std::chrono::hours;

constexpr const char* kSchemaName = "insights.v1.call_summaries";
constexpr std::string_view kRefPrefix = "#/components/schemas/";

Document load_spec() {
  std::ifstream file(INSIGHTS_SPEC_FILE);
  EXPECT_TRUE(file.good()) << "cannot open " << INSIGHTS_SPEC_FILE;
  std::stringstream text;
  text << file.rdbuf();
  Document spec;
  spec.Parse(text.str().c_str());
  EXPECT_FALSE(spec.HasParseError());
  return spec;
}

// OpenAPI 3 → JSON Schema draft-04, in place:
//  - "$ref" to a component schema is replaced by a copy of that schema merged under the
//    referring object's own keywords (OpenAPI puts "type" and "nullable" beside "$ref");
//  - "nullable": true adds "null" to "type" and, for enums, to "enum".
void to_json_schema(Value& schema, const Value& components, Document::AllocatorType& allocator) {
  if (!schema.IsObject())
    return;
  if (auto ref = schema.FindMember("$ref"); ref != schema.MemberEnd()) {
    const std::string target = ref->value.GetString();
    schema.RemoveMember("$ref");
    ASSERT_EQ(target.rfind(kRefPrefix, 0), 0u) << target;
    const Value& referenced = components[target.substr(kRefPrefix.size()).c_str()];
    for (const auto& keyword : referenced.GetObject()) {
      if (!schema.HasMember(keyword.name)) {
        schema.AddMember(Value(keyword.name, allocator), Value(keyword.value, allocator),
                         allocator);
      }
    }
  }
  for (const char* child : {"properties", "patternProperties"}) {
    if (auto it = schema.FindMember(child); it != schema.MemberEnd()) {
      for (auto& property : it->value.GetObject()) {
        to_json_schema(property.value, components, allocator);
      }
    }
  }
  for (const char* child : {"items", "additionalProperties", "not"}) {
    if (auto it = schema.FindMember(child); it != schema.MemberEnd()) {
      to_json_schema(it->value, components, allocator);
    }
  }
  for (const char* child : {"allOf", "anyOf", "oneOf"}) {
    if (auto it = schema.FindMember(child); it != schema.MemberEnd()) {
      for (auto& alternative : it->value.GetArray()) {
        to_json_schema(alternative, components, allocator);
      }
    }
  }
  const auto nullable = schema.FindMember("nullable");
  if (nullable != schema.MemberEnd() && nullable->value.IsTrue()) {
    if (auto type = schema.FindMember("type");
        type != schema.MemberEnd() && type->value.IsString()) {
      Value types(rapidjson::kArrayType);
      types.PushBack(Value(type->value, allocator), allocator);
      types.PushBack(Value("null"), allocator);
      type->value = types;
    }
    if (auto values = schema.FindMember("enum"); values != schema.MemberEnd()) {
      values->value.PushBack(Value(rapidjson::kNullType), allocator);
    }
  }
  schema.RemoveMember("nullable");
}

class SummarySchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Document spec = load_spec();
    const Value& components = spec["components"]["schemas"];
    ASSERT_TRUE(components.HasMember(kSchemaName));
    schema_json_ = new Document();
    schema_json_->CopyFrom(components[kSchemaName], schema_json_->GetAllocator());
    to_json_schema(*schema_json_, components, schema_json_->GetAllocator());
    schema_ = new rapidjson::SchemaDocument(*schema_json_);
  }
  static void TearDownTestSuite() {
    delete schema_;
    delete schema_json_;
  }

  // Empty when `json` is valid; otherwise where and why it is not.
  static std::string validation_error(const std::string& json) {
    Document item;
    item.Parse(json.c_str(), json.size());
    if (item.HasParseError())
      return "not JSON: " + json;
    rapidjson::SchemaValidator validator(*schema_);
    if (item.Accept(validator))
      return "";
    rapidjson::StringBuffer schema_pointer, document_pointer;
    validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_pointer);
    validator.GetInvalidDocumentPointer().StringifyUriFragment(document_pointer);
    return std::string("keyword '") + validator.GetInvalidSchemaKeyword() + "' at schema " +
           schema_pointer.GetString() + ", document " + document_pointer.GetString() + " in " +
           json;
  }

  static Document* schema_json_;
  static rapidjson::SchemaDocument* schema_;
};

Document* SummarySchemaTest::schema_json_ = nullptr;
rapidjson::SchemaDocument* SummarySchemaTest::schema_ = nullptr;

TEST_F(SummarySchemaTest, TranslatedSchemaStillRejectsWhatTheSpecForbids) {
  const std::string valid =
      R"({"call_sid":"CA0123456789abcdef0123456789abcdef","answered_by":null,"tags":null})";
  EXPECT_EQ(validation_error(valid), "");
  EXPECT_NE(validation_error(R"({"call_type":"video"})"), "");
  EXPECT_NE(validation_error(R"({"call_sid":"CA123"})"), "");
  EXPECT_NE(validation_error(R"({"call_sid":"CAzz23456789abcdef0123456789abcdef"})"), "");
  EXPECT_NE(validation_error(R"({"account_sid":"XX0123456789abcdef0123456789abcdef"})"), "");
  EXPECT_NE(validation_error(R"({"duration":"12"})"), "");
  EXPECT_NE(validation_error(R"({"tags":[1]})"), "");
  EXPECT_NE(validation_error(R"({"answered_by":"robot"})"), "");
  EXPECT_EQ(validation_error(R"({"call_type":"whatsapp","processing_state":null})"), "");
}

TEST_F(SummarySchemaTest, EveryRenderedItemValidatesInEveryState) {
  GeneratorOptions options;
  options.seed = 11;
  options.accounts = {testing::kSimAccount, "ACabcdefabcdefabcdefabcdefabcdef12"};
  options.subaccounts_per_account = 2;
  options.annotation_edit_fraction = 0.2;
  CallStore store(options);
  const SimTime from{hours(490000)};
  const auto calls = store.calls_starting_in(from, from + hours(12));  // 2,880 calls

  int validated = 0, invalid = 0;
  std::string first_error;
  std::string json;
  for (const SimCall* call : calls) {
    std::vector<SimTime> moments{call->partial_at, call->complete_at};
    moments.insert(moments.end(), call->annotation_edits.begin(), call->annotation_edits.end());
    for (const SimTime now : moments) {
      json.clear();
      append_summary_json(json, *call, snapshot_at(*call, now),
                          "https://insights.twilio.com/v1/Voice/Summaries");
      const std::string error = validation_error(json);
      ++validated;
      if (!error.empty()) {
        ++invalid;
        if (first_error.empty())
          first_error = error;
      }
    }
  }
  EXPECT_GT(validated, 2 * 2880);
  EXPECT_EQ(invalid, 0) << "first invalid item: " << first_error;
}

}  // namespace
}  // namespace insights::sim
