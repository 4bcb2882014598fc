#pragma once
// Which rows of a page are worth sending to PostgreSQL. Most pages of a running daemon re-read
// summaries it already stored unchanged; shipping each of them to the server, staging it and
// comparing it there held an unchanged re-read to about 1.4 × the COPY floor's rate. Asking the
// server for the stored content hashes of the page's call_sids (an index lookup each, 48 bytes
// back a row) and staging only the rows that are new or differ leaves the server a fraction of
// that work (bench/README.md, "Issue 18: the no-change pass"). The merge's rules are unchanged:
// it sees fewer rows.

#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "core/call_summary_row.hpp"

namespace insights {

// One row per call_sid, as the merge itself would keep it: a complete row beats a partial one,
// then the later one in the page wins. In the page's order of first appearance.
std::vector<const CallSummaryRow*> distinct_page_rows(const std::vector<CallSummaryRow>& rows);

// Prepares the stored-hash lookup on a fresh session's connection.
void prepare_changed_rows_lookup(pqxx::connection& connection);

// Of `rows`, those whose call_sid is not stored yet or whose stored content_hash differs, in
// the same order. One round trip, inside the caller's transaction.
std::vector<const CallSummaryRow*> rows_not_stored_as_is(
    pqxx::transaction_base& transaction, const std::vector<const CallSummaryRow*>& rows);

// A PostgreSQL text[] literal holding the rows' call_sids, each quoted (so commas, braces, quotes,
// backslashes and spaces in a malformed call_sid cannot change the array).
std::string text_array_literal(const std::vector<const CallSummaryRow*>& rows);

}  // namespace insights
