#include "tests/support/truth_comparison.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <stdexcept>

#include "api/page_parser.hpp"

namespace insights::testing {

void add_truth_digests(const std::string& body, SummaryDigests& into) {
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("call_summaries"))
    throw std::runtime_error("insights-sim truth: not JSON: " + body.substr(0, 200));
  for (const auto& item : document["call_summaries"].GetArray()) {
    // Through the daemon's own parser, so the hash covers exactly the stored fields.
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    item.Accept(writer);
    const Page page = parse_single_summary(std::string_view(text.GetString(), text.GetSize()));
    const CallSummaryRow& row = page.rows.at(0);
    into[row.call_sid] = {row.content_hash, row.processing_state.value_or("")};
  }
}

SummaryDigests stored_digests(pqxx::connection& connection, const std::string& field,
                              std::optional<UtcSeconds> from, std::optional<UtcSeconds> to) {
  pqxx::nontransaction tx(connection);
  const std::string select =
      "SELECT call_sid, encode(content_hash, 'hex'), processing_state FROM call_summaries";
  const pqxx::result rows =
      from ? tx.exec_params(select + " WHERE " + field + " >= $1::timestamptz AND " + field +
                                " < $2::timestamptz",
                            format_utc(*from), format_utc(*to))
           : tx.exec(select);
  SummaryDigests result;
  for (const auto& row : rows)
    result[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  return result;
}

Comparison compare_with_truth(const SummaryDigests& stored, const SummaryDigests& truth,
                              bool expect_all_of_truth) {
  Comparison result;
  int examples = 0;
  const auto note = [&](const std::string& text) {
    if (++examples <= 5)
      result.examples += "  " + text + "\n";
  };
  for (const auto& [sid, row] : stored) {
    const auto found = truth.find(sid);
    if (found == truth.end()) {
      ++result.extra;
      note("not in the truth: " + sid);
      continue;
    }
    if (row.content_hash != found->second.content_hash) {
      ++result.different;
      note("different: " + sid + " stored " + row.processing_state + ", truth " +
           found->second.processing_state);
    }
    if (row.processing_state == "complete" && found->second.processing_state != "complete") {
      ++result.complete_but_partial_in_truth;
      note("complete in the warehouse, partial in the truth: " + sid);
    }
  }
  if (expect_all_of_truth) {
    result.compared = static_cast<long long>(truth.size());
    for (const auto& [sid, summary] : truth) {
      if (!stored.contains(sid)) {
        ++result.missing;
        note("missing: " + sid + " (" + summary.processing_state + ")");
      }
    }
  }
  return result;
}

std::string Comparison::describe() const {
  return std::to_string(missing) + " missing, " + std::to_string(different) + " different, " +
         std::to_string(extra) + " extra\n" + examples;
}

::testing::AssertionResult stored_equals_truth(pqxx::connection& connection,
                                               const SummaryDigests& truth,
                                               const std::string& field, UtcSeconds from,
                                               UtcSeconds to) {
  if (truth.empty())
    return ::testing::AssertionFailure() << "the truth has no summaries in the range";
  const Comparison check = compare_with_truth(stored_digests(connection, field, from, to), truth);
  if (check.equal())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << check.describe();
}

}  // namespace insights::testing
