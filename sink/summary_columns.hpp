#pragma once
// The one list of call_summaries columns that come from the API, in staging-table order.
// The staging DDL, the COPY line builder and the merge statement are all generated from it,
// so adding a column means adding one line here (plus a migration).

#include <optional>
#include <span>
#include <string>

#include "core/call_summary_row.hpp"

namespace insights {

struct SummaryColumn {
  const char* name;      // column name in call_summaries and in the staging table
  const char* sql_type;  // PostgreSQL type; the merge casts the staged text into it once
  std::optional<std::string> CallSummaryRow::*field;
  // PII Twilio may null out later (30-day delete SLA): a NULL never erases a stored value.
  bool keep_when_null;
};

// Every optional column, in order. call_sid and content_hash are handled separately because
// they are never NULL.
std::span<const SummaryColumn> summary_columns();

}  // namespace insights
