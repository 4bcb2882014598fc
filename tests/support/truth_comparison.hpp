#pragma once
// Comparing the warehouse with insights-sim's truth, field by field: both sides are reduced to
// each call's content hash (computed by the daemon's own parser over every stored field) and
// processing state, by call_sid.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <pqxx/connection>
#include <string>

#include "core/utc_time.hpp"

namespace insights::testing {

struct SummaryDigest {
  std::string content_hash;      // hex, as CallSummaryRow::content_hash
  std::string processing_state;  // "partial" | "complete"
};
using SummaryDigests = std::map<std::string, SummaryDigest>;  // by call_sid

// Adds every summary of a /_sim/truth response body to `into`. Throws on a body that is not
// the truth's JSON.
void add_truth_digests(const std::string& body, SummaryDigests& into);

// Stored rows; with a range, only those whose `field` (start_time or end_time) is in it.
SummaryDigests stored_digests(pqxx::connection& connection, const std::string& field = "start_time",
                              std::optional<UtcSeconds> from = {},
                              std::optional<UtcSeconds> to = {});

// How the warehouse differs from the truth.
struct Comparison {
  long long compared = 0;  // truth rows looked at (when expected all of them)
  long long missing = 0, different = 0, extra = 0;
  long long complete_but_partial_in_truth = 0;  // a complete row the truth has as partial
  std::string examples;                         // the first few differences, for messages

  bool equal() const { return missing == 0 && different == 0 && extra == 0; }
  // "N missing, N different, N extra" and the examples, for assertion messages.
  std::string describe() const;
};

// `expect_all_of_truth`: false when the warehouse may still lack rows (mid-run checks).
Comparison compare_with_truth(const SummaryDigests& stored, const SummaryDigests& truth,
                              bool expect_all_of_truth = true);

// The rows stored in [from, to) of `field` equal `truth` (the sim's truth for the same range,
// which must not be empty), field by field; the failure names what differs.
::testing::AssertionResult stored_equals_truth(pqxx::connection& connection,
                                               const SummaryDigests& truth,
                                               const std::string& field, UtcSeconds from,
                                               UtcSeconds to);

}  // namespace insights::testing
