#pragma once
// SQL for moving a page from the session's staging table into call_summaries under the rules
// of docs/architecture.md (invariants 1 and 7): upsert by call_sid, never downgrade complete →
// partial, write nothing when the content hash is unchanged. The most complete, latest of
// duplicate call_sids is chosen before staging (sink/changed_rows.hpp, distinct_page_rows).

#include <string>
#include <vector>

#include "core/call_summary_row.hpp"

namespace insights {

inline constexpr const char* kStagingTable = "insights_staging";

// CREATE TEMP TABLE for the staging rows (ON COMMIT DELETE ROWS: a rolled-back or committed
// page leaves nothing behind for the next one).
std::string staging_table_ddl();

// Column names of the staging table in COPY order.
std::vector<std::string> staging_columns();

// One COPY text line (without the newline) for `row`, `ordinal` being its place in the page.
std::string staging_line(const CallSummaryRow& row, int ordinal);

// The merge of the staged rows (sink/changed_rows.hpp: the page's rows that are new or
// changed, one per call_sid). Parameter $1 is the source name. Returns one row:
// (inserted, updated, downgrade_refused).
std::string merge_statement_sql();

}  // namespace insights
