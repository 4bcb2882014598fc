#pragma once
// One call-summary JSON object → one CallSummaryRow, following the rules in page_parser.hpp:
// strict JSON types on known fields, tolerance for unknown keys (kept in `extra`).
//
// Field mapping: scalar strings are copied; created/start/end_time must look like ISO-8601
// (text kept as sent); duration/connect_duration must be integers (12.0 counts, stored "12");
// tags become a PostgreSQL text[] literal; objects and agent_session_summaries become compact
// JSON; `url` is known but not stored (it is the constant list URL). `direction` is lifted from
// properties.direction. If a key occurs twice, the last occurrence wins, as in PostgreSQL
// jsonb; inside stored objects duplicates are passed through for jsonb to resolve the same way.
//
// One SummaryItemParser serves one response body: it reuses its buffers from item to item and
// collects the unknown top-level key names it meets. Not thread-safe. Errors throw
// PageFormatError naming the item, its call_sid when known, and the field.

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/compact_json.hpp"
#include "core/call_summary_row.hpp"

namespace insights {

class SummaryItemParser {
 public:
  // list_name: the array the items come from (meta.key), used in error messages such as
  // "call_summaries[3] (CA…): duration must be …". check_strings: see CompactJsonWriter; pass
  // false only if the body contains no "\u" escape. `list_name` must outlive the parser.
  SummaryItemParser(std::string_view list_name, bool check_strings);

  // Item `index` of the list.
  CallSummaryRow parse_list_item(const rapidjson::Value& item, std::size_t index);

  // The body of GET /v1/Voice/{CallSid}/Summary; error messages call it "summary".
  CallSummaryRow parse_single(const rapidjson::Value& item);

  // Unknown top-level keys met so far, sorted, each once; leaves the collection empty.
  std::vector<std::string> take_unknown_keys();

 private:
  // index: the item's place in the list; none for a single-summary body.
  CallSummaryRow parse(const rapidjson::Value& item, std::optional<std::size_t> index);
  std::size_t find_field(std::string_view json_name);
  void note_unknown_key(std::string_view name);

  std::string_view list_name_;
  CompactJsonWriter json_writer_;
  std::size_t field_hint_ = 0;  // where the next key lookup starts: items share a key order
  std::vector<const rapidjson::Value::Member*> unknown_members_;  // of the current item
  std::vector<std::string> unknown_keys_;                         // of all items so far
};

}  // namespace insights
