// libFuzzer target for the page parser: any bytes as a list-page body and as a single-summary
// body. A PageFormatError is the expected way to say no; anything else escaping (another
// exception, a crash, a sanitizer report, a broken invariant below) is a bug.
//
// The invariants are what the sink relies on when it writes a parsed page to PostgreSQL: a
// well-formed call_sid, a content hash that matches the row, text that is valid UTF-8 without
// U+0000, and JSON columns that are valid JSON.

#include <rapidjson/document.h>
#include <rapidjson/encodings.h>
#include <rapidjson/memorystream.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "api/compact_json.hpp"
#include "api/page_parser.hpp"
#include "core/content_hash.hpp"
#include "core/twilio_vocabulary.hpp"

namespace insights {
namespace {

[[noreturn]] void broken(const char* invariant, std::string_view value) {
  std::fprintf(stderr, "invariant broken: %s (value: %.*s)\n", invariant,
               static_cast<int>(value.size() < 200 ? value.size() : 200), value.data());
  std::abort();
}

bool is_valid_utf8(std::string_view text) {
  rapidjson::MemoryStream input(text.data(), text.size());
  struct Discard {
    void Put(char) {}
  } discard;
  while (input.Tell() < text.size()) {
    if (!rapidjson::UTF8<>::Validate(input, discard)) {
      return false;
    }
  }
  return true;
}

void check_text(const std::optional<std::string>& text, const char* what) {
  if (text && (!is_valid_utf8(*text) || !is_storable_text(*text))) {
    broken(what, *text);
  }
}

void check_json(const std::optional<std::string>& json, const char* what) {
  if (!json) {
    return;
  }
  check_text(json, what);
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json->data(), json->size());
  if (document.HasParseError()) {
    broken(what, *json);
  }
}

void check_page(const Page& page) {
  check_text(page.meta.next_page_url, "meta.next_page_url is storable text");
  check_text(page.meta.url, "meta.url is storable text");
  if (page.meta.next_page_url && page.meta.next_page_url->empty()) {
    broken("an empty next_page_url means the last page", "");
  }
  for (const CallSummaryRow& row : page.rows) {
    if (!is_twilio_sid(row.call_sid, "CA")) {
      broken("call_sid is a CA sid", row.call_sid);
    }
    if (row.content_hash != content_hash_hex(row)) {
      broken("content_hash matches the row", row.content_hash);
    }
    for (const auto* text : {&row.account_sid, &row.created_time, &row.start_time, &row.end_time,
                             &row.duration, &row.connect_duration, &row.call_type, &row.call_state,
                             &row.answered_by, &row.processing_state, &row.direction, &row.tags}) {
      check_text(*text, "text fields are storable text");
    }
    if (row.tags && (row.tags->size() < 2 || row.tags->front() != '{' || row.tags->back() != '}')) {
      broken("tags is a text[] literal", *row.tags);
    }
    for (const auto* json :
         {&row.from_party, &row.to_party, &row.sdk_edge, &row.sip_edge, &row.client_edge,
          &row.carrier_edge, &row.attributes, &row.properties, &row.trust, &row.annotation,
          &row.agent_session_summaries, &row.extra}) {
      check_json(*json, "JSON columns are valid JSON");
    }
  }
}

}  // namespace
}  // namespace insights

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    insights::check_page(insights::parse_summaries_page(body));
  } catch (const insights::PageFormatError&) {
    // the expected refusal of a bad body
  }
  try {
    insights::check_page(insights::parse_single_summary(body));
  } catch (const insights::PageFormatError&) {
    // the expected refusal of a bad body
  }
  return 0;
}
