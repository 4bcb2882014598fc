#include "api/summary_item_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "api/iso8601_timestamp.hpp"
#include "api/json_dom.hpp"
#include "api/page_parser.hpp"
#include "api/quoted_excerpt.hpp"
#include "core/content_hash.hpp"
#include "core/twilio_vocabulary.hpp"

namespace insights {
namespace {

using rapidjson::Value;
using Member = Value::Member;
using RowField = std::optional<std::string> CallSummaryRow::*;

enum class FieldKind {
  call_sid,    // the key: required, validated first so every other error can name it
  text,        // string
  timestamp,   // ISO-8601 string, kept as sent
  integer,     // int64, stored as decimal text
  tags,        // array of strings → PostgreSQL text[] literal
  object,      // object → compact JSON
  array,       // array → compact JSON
  not_stored,  // known on purpose, so it does not land in `extra`
};

struct FieldSpec {
  std::string_view json_name;
  FieldKind kind;
  RowField target;  // nullptr for call_sid (not optional) and not_stored
};

// In the order Twilio sends list items, so the lookup hint usually hits at the first try.
constexpr std::array kFields{
    FieldSpec{"call_sid", FieldKind::call_sid, nullptr},
    FieldSpec{"account_sid", FieldKind::text, &CallSummaryRow::account_sid},
    FieldSpec{"created_time", FieldKind::timestamp, &CallSummaryRow::created_time},
    FieldSpec{"start_time", FieldKind::timestamp, &CallSummaryRow::start_time},
    FieldSpec{"end_time", FieldKind::timestamp, &CallSummaryRow::end_time},
    FieldSpec{"duration", FieldKind::integer, &CallSummaryRow::duration},
    FieldSpec{"connect_duration", FieldKind::integer, &CallSummaryRow::connect_duration},
    FieldSpec{"call_type", FieldKind::text, &CallSummaryRow::call_type},
    FieldSpec{"call_state", FieldKind::text, &CallSummaryRow::call_state},
    FieldSpec{"answered_by", FieldKind::text, &CallSummaryRow::answered_by},
    FieldSpec{"from", FieldKind::object, &CallSummaryRow::from_party},
    FieldSpec{"to", FieldKind::object, &CallSummaryRow::to_party},
    FieldSpec{"processing_state", FieldKind::text, &CallSummaryRow::processing_state},
    FieldSpec{"sdk_edge", FieldKind::object, &CallSummaryRow::sdk_edge},
    FieldSpec{"sip_edge", FieldKind::object, &CallSummaryRow::sip_edge},
    FieldSpec{"client_edge", FieldKind::object, &CallSummaryRow::client_edge},
    FieldSpec{"carrier_edge", FieldKind::object, &CallSummaryRow::carrier_edge},
    FieldSpec{"tags", FieldKind::tags, &CallSummaryRow::tags},
    FieldSpec{"attributes", FieldKind::object, &CallSummaryRow::attributes},
    FieldSpec{"properties", FieldKind::object, &CallSummaryRow::properties},
    FieldSpec{"trust", FieldKind::object, &CallSummaryRow::trust},
    FieldSpec{"annotation", FieldKind::object, &CallSummaryRow::annotation},
    FieldSpec{"agent_session_summaries", FieldKind::array,
              &CallSummaryRow::agent_session_summaries},
    FieldSpec{"url", FieldKind::not_stored, nullptr},
};

constexpr std::size_t field_index(std::string_view json_name) {
  std::size_t index = 0;
  while (index < kFields.size() && kFields[index].json_name != json_name) {
    ++index;
  }
  return index;
}
constexpr std::size_t kCallSidField = field_index("call_sid");
constexpr std::size_t kPropertiesField = field_index("properties");
static_assert(kCallSidField < kFields.size() && kPropertiesField < kFields.size());

std::string_view string_of(const Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

// Input values in error messages stay short: they sit inside a longer sentence.
constexpr std::size_t kExcerptInMessage = 40;

// Names the item (and its call_sid once known) in every error it raises.
struct ItemContext {
  std::string_view list_name;
  std::optional<std::size_t> index;  // none for a single-summary body
  std::string_view call_sid;         // empty until validated

  [[noreturn]] void fail(std::string_view problem) const {
    std::string message = index ? std::string(list_name) + '[' + std::to_string(*index) + ']'
                                : std::string("summary");
    if (!call_sid.empty()) {
      message.append(" (").append(call_sid).append(")");
    }
    message.append(": ").append(problem);
    throw PageFormatError(message);
  }

  [[noreturn]] void fail_type(std::string_view field, std::string_view expected,
                              const Value& value) const {
    fail(std::string(field) + " must be " + std::string(expected) + ", got " +
         std::string(json_type_name(value)));
  }

  [[noreturn]] void fail_unstorable(std::string_view field) const {
    fail(std::string(field) +
         " contains U+0000 or an unpaired surrogate, which PostgreSQL cannot store");
  }
};

std::string read_call_sid(const Value* value, const ItemContext& context) {
  if (value == nullptr) {
    context.fail("call_sid is missing");
  }
  if (!value->IsString()) {
    context.fail_type("call_sid", "a string", *value);
  }
  const std::string_view call_sid = string_of(*value);
  if (!is_twilio_sid(call_sid, "CA")) {
    context.fail("call_sid must match ^CA[0-9a-fA-F]{32}$, got " +
                 quoted_excerpt(call_sid, kExcerptInMessage));
  }
  return std::string(call_sid);
}

std::string_view read_text(const Value& value, std::string_view field, bool check_strings,
                           const ItemContext& context) {
  if (!value.IsString()) {
    context.fail_type(field, "a string or null", value);
  }
  const std::string_view text = string_of(value);
  if (check_strings && !is_storable_text(text)) {
    context.fail_unstorable(field);
  }
  return text;
}

std::string_view read_timestamp(const Value& value, std::string_view field,
                                const ItemContext& context) {
  if (!value.IsString()) {
    context.fail_type(field, "a string or null", value);
  }
  const std::string_view text = string_of(value);
  if (!is_iso8601_timestamp(text)) {
    context.fail(std::string(field) +
                 " must be an ISO-8601 timestamp like 2021-08-25T14:46:40Z, got " +
                 quoted_excerpt(text, kExcerptInMessage));
  }
  return text;
}

template <typename Number>
std::string decimal_text(Number number) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
  return std::string(buffer.data(), result.ptr);
}

// How a number that is not an acceptable integer looks in an error message.
std::string number_text(const Value& value) {
  if (value.IsUint64()) {
    return decimal_text(value.GetUint64());
  }
  if (value.IsInt64()) {
    return decimal_text(value.GetInt64());
  }
  return decimal_text(value.GetDouble());
}

// Doubles with an integral value in int64 range (12.0, 1e3) count as integers: some
// serializers write every number as a double.
bool holds_int64(double number) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  return number >= -kTwoTo63 && number < kTwoTo63 && std::trunc(number) == number;
}

std::string read_integer(const Value& value, std::string_view field, const ItemContext& context) {
  if (value.IsInt64()) {
    return decimal_text(value.GetInt64());
  }
  if (value.IsDouble() && holds_int64(value.GetDouble())) {
    return decimal_text(static_cast<std::int64_t>(value.GetDouble()));
  }
  if (value.IsNumber()) {
    context.fail(std::string(field) + " must be a 64-bit integer or null, got " +
                 number_text(value));
  }
  context.fail_type(field, "an integer or null", value);
}

// PostgreSQL text[] literal: every element double-quoted (so commas, braces, spaces and the
// word NULL stay plain text) with `"` and `\` escaped by a backslash.
std::string read_tags(const Value& value, bool check_strings, const ItemContext& context) {
  if (!value.IsArray()) {
    context.fail_type("tags", "an array of strings or null", value);
  }
  std::size_t literal_size = 2;
  for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
    const Value& tag = value[i];
    if (!tag.IsString()) {
      context.fail_type("tags[" + std::to_string(i) + "]", "a string", tag);
    }
    if (check_strings && !is_storable_text(string_of(tag))) {
      context.fail_unstorable("tags[" + std::to_string(i) + "]");
    }
    literal_size += tag.GetStringLength() + 3;  // quotes and comma; escapes are rare
  }

  std::string literal;
  literal.reserve(literal_size);
  literal += '{';
  for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
    if (i > 0) {
      literal += ',';
    }
    literal += '"';
    for (const char c : string_of(value[i])) {
      if (c == '"' || c == '\\') {
        literal += '\\';
      }
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

std::string read_json(const Value& value, std::string_view field, CompactJsonWriter& json_writer,
                      const ItemContext& context) {
  std::string text;
  if (!json_writer.append(value, text)) {
    context.fail_unstorable(field);
  }
  return text;
}

void store_field(const FieldSpec& spec, const Value& value, CallSummaryRow& row,
                 CompactJsonWriter& json_writer, const ItemContext& context) {
  const bool check_strings = json_writer.checks_strings();
  switch (spec.kind) {
    case FieldKind::call_sid:    // read before all others
    case FieldKind::not_stored:  // deliberately dropped
      return;
    case FieldKind::text:
      row.*spec.target = read_text(value, spec.json_name, check_strings, context);
      return;
    case FieldKind::timestamp:
      row.*spec.target = read_timestamp(value, spec.json_name, context);
      return;
    case FieldKind::integer:
      row.*spec.target = read_integer(value, spec.json_name, context);
      return;
    case FieldKind::tags:
      row.*spec.target = read_tags(value, check_strings, context);
      return;
    case FieldKind::object:
      if (!value.IsObject()) {
        context.fail_type(spec.json_name, "an object or null", value);
      }
      row.*spec.target = read_json(value, spec.json_name, json_writer, context);
      return;
    case FieldKind::array:
      if (!value.IsArray()) {
        context.fail_type(spec.json_name, "an array or null", value);
      }
      row.*spec.target = read_json(value, spec.json_name, json_writer, context);
      return;
  }
}

// properties.direction, when properties is an object and direction a string. Its text was
// already checked as part of `properties`.
std::optional<std::string> lifted_direction(const Value* properties) {
  if (properties == nullptr || !properties->IsObject()) {
    return std::nullopt;
  }
  const Value* direction = find_last_member(*properties, "direction");
  if (direction == nullptr || !direction->IsString()) {
    return std::nullopt;
  }
  return std::string(string_of(*direction));
}

}  // namespace

SummaryItemParser::SummaryItemParser(std::string_view list_name, bool check_strings)
    : list_name_(list_name), json_writer_(check_strings) {
  unknown_members_.reserve(8);
}

CallSummaryRow SummaryItemParser::parse_list_item(const Value& item, std::size_t index) {
  return parse(item, index);
}

CallSummaryRow SummaryItemParser::parse_single(const Value& item) {
  return parse(item, std::nullopt);
}

std::vector<std::string> SummaryItemParser::take_unknown_keys() {
  std::vector<std::string> keys = std::move(unknown_keys_);
  unknown_keys_.clear();  // a moved-from vector is only promised to be valid
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::size_t SummaryItemParser::find_field(std::string_view json_name) {
  for (std::size_t step = 0; step < kFields.size(); ++step) {
    const std::size_t index = (field_hint_ + step) % kFields.size();
    if (kFields[index].json_name == json_name) {
      field_hint_ = index + 1;
      return index;
    }
  }
  return kFields.size();
}

void SummaryItemParser::note_unknown_key(std::string_view name) {
  // A page names few distinct unknown keys, each on many items: a linear scan is cheapest.
  if (std::find(unknown_keys_.begin(), unknown_keys_.end(), name) == unknown_keys_.end()) {
    unknown_keys_.emplace_back(name);
  }
}

CallSummaryRow SummaryItemParser::parse(const Value& item, std::optional<std::size_t> index) {
  ItemContext context{list_name_, index, {}};
  if (!item.IsObject()) {
    context.fail("item must be an object, got " + std::string(json_type_name(item)));
  }

  // Pass 1: sort members into known fields (the last occurrence wins, as in jsonb) and the
  // rest, so call_sid can be checked first wherever it sits.
  std::array<const Value*, kFields.size()> found{};
  unknown_members_.clear();
  for (const Member& member : item.GetObject()) {
    const std::size_t field = find_field(string_of(member.name));
    if (field < kFields.size()) {
      found[field] = &member.value;
    } else {
      unknown_members_.push_back(&member);
    }
  }

  // Pass 2: convert.
  CallSummaryRow row;
  row.call_sid = read_call_sid(found[kCallSidField], context);
  context.call_sid = row.call_sid;
  for (std::size_t field = 0; field < kFields.size(); ++field) {
    if (found[field] != nullptr && !found[field]->IsNull()) {
      store_field(kFields[field], *found[field], row, json_writer_, context);
    }
  }
  row.direction = lifted_direction(found[kPropertiesField]);

  if (!unknown_members_.empty()) {
    const Member* failed_member = nullptr;
    if (!json_writer_.append_object(unknown_members_, row.extra.emplace(), failed_member)) {
      const std::string key =
          failed_member != nullptr
              ? quoted_excerpt(string_of(failed_member->name), kExcerptInMessage)
              : "?";
      context.fail_unstorable("unknown key " + key + " (name or value)");
    }
    for (const Member* member : unknown_members_) {
      note_unknown_key(string_of(member->name));
    }
  }

  row.content_hash = content_hash_hex(row);
  return row;
}

}  // namespace insights
