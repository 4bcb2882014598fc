#include "api/page_parser.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "api/compact_json.hpp"
#include "api/json_dom.hpp"
#include "api/rapidjson_number_fix.hpp"
#include "api/summary_item_parser.hpp"

namespace insights {
namespace {

using rapidjson::Value;

// Full precision keeps doubles exact (they are written back into jsonb); encoding validation
// rejects invalid UTF-8, which PostgreSQL would reject later with no hint of the field. Without
// kParseStopWhenDoneFlag anything after the root value is an error.
constexpr unsigned kParseFlags =
    rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;

// Twilio nests about six levels. The parser and CompactJsonWriter recurse once per level, so a
// corrupt or hostile body must not be allowed to nest deep enough to overflow the stack.
constexpr unsigned kMaxNestingDepth = 64;

constexpr std::string_view kDefaultListName = "call_summaries";

[[noreturn]] void fail(const std::string& message) {
  throw PageFormatError(message);
}

// A body that may hold a number RapidJSON 1.1 misreads (api/rapidjson_number_fix.hpp) is
// parsed with numbers handed over as text, so that DepthLimitedBuilder::RawNumber reads each.
constexpr unsigned kCarefulNumberFlags = kParseFlags | rapidjson::kParseNumbersAsStringsFlag;

// Hands one number, parsed on its own, to the document.
struct NumberForwarder : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, NumberForwarder> {
  explicit NumberForwarder(rapidjson::Document& target) : document(target) {}
  bool Default() { return false; }  // anything but a number
  bool Int(int i) { return document.Int(i); }
  bool Uint(unsigned u) { return document.Uint(u); }
  bool Int64(std::int64_t i) { return document.Int64(i); }
  bool Uint64(std::uint64_t u) { return document.Uint64(u); }
  bool Double(double d) { return document.Double(d); }
  rapidjson::Document& document;
};

// Passes parse events to the document, refusing to nest deeper than kMaxNestingDepth.
class DepthLimitedBuilder {
 public:
  explicit DepthLimitedBuilder(rapidjson::Document& document) : document_(document) {}

  bool too_deep() const { return too_deep_; }
  // Why a number could not be read (in kCarefulNumberFlags mode); empty when none failed.
  const std::string& number_error() const { return number_error_; }

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned u) { return document_.Uint(u); }
  bool Int64(std::int64_t i) { return document_.Int64(i); }
  bool Uint64(std::uint64_t u) { return document_.Uint64(u); }
  bool Double(double d) { return document_.Double(d); }
  // Only in kCarefulNumberFlags mode: the numbers RapidJSON misreads are read exactly, all
  // others by RapidJSON alone, so they keep the value (and stored text) they always had.
  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    const std::string_view number(text, length);
    if (rapidjson_misreads(number)) {
      const std::optional<double> exact = read_json_double(number);
      if (!exact) {
        number_error_ = "number out of range";
        return false;
      }
      return document_.Double(*exact);
    }
    rapidjson::MemoryStream number_stream(text, length);
    NumberForwarder forwarder(document_);
    const rapidjson::ParseResult result =
        number_reader_.Parse<kParseFlags>(number_stream, forwarder);
    if (result.IsError()) {
      number_error_ = rapidjson::GetParseError_En(result.Code());
      return false;
    }
    return true;
  }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.Key(text, length, copy);
  }
  bool StartObject() { return enter() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType count) {
    --depth_;
    return document_.EndObject(count);
  }
  bool StartArray() { return enter() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType count) {
    --depth_;
    return document_.EndArray(count);
  }

 private:
  bool enter() {
    too_deep_ = ++depth_ > kMaxNestingDepth;
    return !too_deep_;
  }

  rapidjson::Document& document_;
  rapidjson::Reader number_reader_;  // reused: its buffer is allocated once per body
  std::string number_error_;
  unsigned depth_ = 0;
  bool too_deep_ = false;
};

// Parses the whole body into `document` or throws PageFormatError saying where and why.
void parse_body(std::string_view body, rapidjson::Document& document) {
  // RapidJSON reads a NUL byte as the end of input, so "<json>\0garbage" would pass as
  // complete. A raw NUL is never valid JSON: reject it up front.
  if (const void* nul = std::memchr(body.data(), '\0', body.size()); nul != nullptr) {
    fail("response body is not valid JSON: NUL byte at offset " +
         std::to_string(static_cast<const char*>(nul) - body.data()));
  }

  rapidjson::MemoryStream bytes(body.data(), body.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(bytes);
  rapidjson::Reader reader;
  DepthLimitedBuilder builder(document);
  rapidjson::ParseResult result;
  const bool careful_numbers = may_hold_misread_number(body);
  auto generate = [&](rapidjson::Document&) {
    result = careful_numbers ? reader.Parse<kCarefulNumberFlags>(input, builder)
                             : reader.Parse<kParseFlags>(input, builder);
    return !result.IsError();
  };
  document.Populate(generate);

  if (builder.too_deep()) {
    fail("response body nests deeper than " + std::to_string(kMaxNestingDepth) +
         " levels (at offset " + std::to_string(result.Offset()) + ")");
  }
  if (!builder.number_error().empty()) {
    fail("response body is not valid JSON: " + builder.number_error() + " (at offset " +
         std::to_string(result.Offset()) + ")");
  }
  if (result.IsError()) {
    fail("response body is not valid JSON: " +
         std::string(rapidjson::GetParseError_En(result.Code())) + " (at offset " +
         std::to_string(result.Offset()) + ")");
  }
}

const Value& root_object(const rapidjson::Document& document) {
  if (!document.IsObject()) {
    fail("response body must be a JSON object, got " + std::string(json_type_name(document)));
  }
  return document;
}

// meta.page and meta.page_size: an integer; missing or null read as 0.
long long read_meta_integer(const Value& meta, std::string_view name) {
  const Value* value = find_last_member(meta, name);
  if (value == nullptr || value->IsNull()) {
    return 0;
  }
  if (!value->IsInt64()) {
    fail("meta." + std::string(name) + " must be an integer, got " +
         std::string(json_type_name(*value)));
  }
  return value->GetInt64();
}

// meta.url and meta.next_page_url: a string or null; missing reads as null.
std::optional<std::string> read_meta_string(const Value& meta, std::string_view name) {
  const Value* value = find_last_member(meta, name);
  if (value == nullptr || value->IsNull()) {
    return std::nullopt;
  }
  if (!value->IsString()) {
    fail("meta." + std::string(name) + " must be a string or null, got " +
         std::string(json_type_name(*value)));
  }
  const std::string_view text(value->GetString(), value->GetStringLength());
  if (!is_storable_text(text)) {
    fail("meta." + std::string(name) + " contains U+0000 or an unpaired surrogate");
  }
  return std::string(text);
}

// meta.key names the array holding the items; missing or null means "call_summaries".
std::string_view read_list_name(const Value& meta) {
  const Value* key = find_last_member(meta, "key");
  if (key == nullptr || key->IsNull()) {
    return kDefaultListName;
  }
  if (!key->IsString()) {
    fail("meta.key must be a string, got " + std::string(json_type_name(*key)));
  }
  const std::string_view name(key->GetString(), key->GetStringLength());
  if (name.empty()) {
    fail("meta.key must name the array of items, got \"\"");
  }
  if (!is_storable_text(name)) {
    fail("meta.key contains U+0000 or an unpaired surrogate");
  }
  return name;
}

// Only a "\u" escape can put U+0000 or a lone surrogate into a parsed string (raw bytes are
// validated), so bodies without one skip the per-string check.
bool may_hold_unstorable_text(std::string_view body) {
  return body.find("\\u") != std::string_view::npos;
}

}  // namespace

Page parse_summaries_page(std::string_view body) {
  rapidjson::Document document;
  parse_body(body, document);
  const Value& root = root_object(document);

  const Value* meta = find_last_member(root, "meta");
  if (meta == nullptr) {
    fail("meta is missing");
  }
  if (!meta->IsObject()) {
    fail("meta must be an object, got " + std::string(json_type_name(*meta)));
  }
  Page page;
  page.meta.page = read_meta_integer(*meta, "page");
  page.meta.page_size = read_meta_integer(*meta, "page_size");
  page.meta.next_page_url = read_meta_string(*meta, "next_page_url");
  if (page.meta.next_page_url && page.meta.next_page_url->empty()) {
    page.meta.next_page_url.reset();  // Twilio's clients treat any falsy URL as the last page
  }
  page.meta.url = read_meta_string(*meta, "url");

  const std::string_view list_name = read_list_name(*meta);
  const Value* items = find_last_member(root, list_name);
  if (items == nullptr) {
    fail(std::string(list_name) + " is missing");
  }
  if (!items->IsArray()) {
    fail(std::string(list_name) + " must be an array, got " + std::string(json_type_name(*items)));
  }

  SummaryItemParser item_parser(list_name, may_hold_unstorable_text(body));
  page.rows.reserve(items->Size());
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    page.rows.push_back(item_parser.parse_list_item((*items)[i], i));
  }
  page.unknown_keys = item_parser.take_unknown_keys();
  return page;
}

Page parse_single_summary(std::string_view body) {
  rapidjson::Document document;
  parse_body(body, document);
  const Value& root = root_object(document);

  SummaryItemParser item_parser(kDefaultListName, may_hold_unstorable_text(body));
  Page page;
  page.rows.push_back(item_parser.parse_single(root));
  page.unknown_keys = item_parser.take_unknown_keys();
  return page;
}

}  // namespace insights
