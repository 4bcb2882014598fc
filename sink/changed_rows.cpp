#include "sink/changed_rows.hpp"

#include <pqxx/result>
#include <string_view>
#include <unordered_map>

namespace insights {
namespace {

constexpr const char* kStoredHashes = "insights_stored_hashes";

}  // namespace

std::vector<const CallSummaryRow*> distinct_page_rows(const std::vector<CallSummaryRow>& rows) {
  std::vector<const CallSummaryRow*> kept;
  kept.reserve(rows.size());
  std::unordered_map<std::string_view, std::size_t> place;  // call_sid -> index in `kept`
  place.reserve(rows.size());
  for (const CallSummaryRow& row : rows) {
    const auto [found, added] = place.try_emplace(row.call_sid, kept.size());
    if (added) {
      kept.push_back(&row);
      continue;
    }
    const CallSummaryRow*& earlier = kept[found->second];
    if (row.is_complete() || !earlier->is_complete())
      earlier = &row;
  }
  return kept;
}

void prepare_changed_rows_lookup(pqxx::connection& connection) {
  connection.prepare(kStoredHashes,
                     "SELECT call_sid, encode(content_hash, 'hex') FROM call_summaries"
                     " WHERE call_sid = ANY($1::text[])");
}

std::string text_array_literal(const std::vector<const CallSummaryRow*>& rows) {
  std::string literal = "{";
  for (const CallSummaryRow* row : rows) {
    if (literal.size() > 1)
      literal += ',';
    literal += '"';
    for (const char c : row->call_sid) {
      if (c == '"' || c == '\\')
        literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

std::vector<const CallSummaryRow*> rows_not_stored_as_is(
    pqxx::transaction_base& transaction, const std::vector<const CallSummaryRow*>& rows) {
  if (rows.empty())
    return {};
  const pqxx::result stored = transaction.exec_prepared(kStoredHashes, text_array_literal(rows));
  std::unordered_map<std::string, std::string> stored_hash;
  stored_hash.reserve(stored.size());
  for (const auto& found : stored)
    stored_hash.emplace(found[0].as<std::string>(), found[1].as<std::string>());
  std::vector<const CallSummaryRow*> differing;
  for (const CallSummaryRow* row : rows) {
    const auto hash = stored_hash.find(row->call_sid);
    if (hash == stored_hash.end() || hash->second != row->content_hash)
      differing.push_back(row);
  }
  return differing;
}

}  // namespace insights
