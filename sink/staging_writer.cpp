#include "sink/staging_writer.hpp"

#include <pqxx/tablewriter>

#include "sink/merge_statement.hpp"

namespace insights {

void write_staging_rows(pqxx::transaction_base& transaction,
                        const std::vector<const CallSummaryRow*>& rows) {
  if (rows.empty())
    return;
  static const std::vector<std::string> columns = staging_columns();
  // libpqxx 6.4 marks tablewriter deprecated in favour of stream_to, but stream_to cannot
  // send a line we already encoded; tablewriter::write_raw_line sends it as is, which saves a
  // second escaping pass per field on the hot path.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter writer(transaction, kStagingTable, columns.begin(), columns.end());
  int ordinal = 0;
  for (const CallSummaryRow* row : rows)
    writer.write_raw_line(staging_line(*row, ordinal++));
  writer.complete();
#pragma GCC diagnostic pop
}

}  // namespace insights
