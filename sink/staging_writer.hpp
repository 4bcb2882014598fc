#pragma once
// Streams rows into the session's staging table with COPY, inside the caller's transaction.

#include <pqxx/transaction_base>
#include <vector>

#include "core/call_summary_row.hpp"

namespace insights {

// Writes `rows` (possibly none) into the staging table of the transaction's connection.
void write_staging_rows(pqxx::transaction_base& transaction,
                        const std::vector<const CallSummaryRow*>& rows);

}  // namespace insights
