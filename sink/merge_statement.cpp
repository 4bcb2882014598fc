#include "sink/merge_statement.hpp"

#include "sink/copy_text.hpp"
#include "sink/summary_columns.hpp"

namespace insights {

// Staging holds the fields as text; the merge parses each into its type, once. With typed
// staging columns the COPY parsed every jsonb and compressed the wide rows, and the merge
// decompressed them again (bench/README.md, "Where the time goes"). toast_tuple_target at its
// maximum keeps a staged row uncompressed unless it does not fit a page otherwise.
std::string staging_table_ddl() {
  std::string sql = std::string("CREATE TEMP TABLE IF NOT EXISTS ") + kStagingTable +
                    " (ordinal integer NOT NULL, call_sid text NOT NULL";
  for (const auto& column : summary_columns()) {
    sql += std::string(", ") + column.name + " text";
  }
  sql += ", content_hash text NOT NULL) WITH (toast_tuple_target = 8160) ON COMMIT DELETE ROWS";
  return sql;
}

std::vector<std::string> staging_columns() {
  std::vector<std::string> names = {"ordinal", "call_sid"};
  for (const auto& column : summary_columns())
    names.emplace_back(column.name);
  names.emplace_back("content_hash");
  return names;
}

std::string staging_line(const CallSummaryRow& row, int ordinal) {
  std::string line;
  line.reserve(2048);
  line += std::to_string(ordinal);
  line += '\t';
  append_copy_field(line, row.call_sid);
  for (const auto& column : summary_columns()) {
    line += '\t';
    append_copy_field_or_null(line, row.*column.field);
  }
  line += '\t';
  append_copy_bytea_hex(line, row.content_hash);
  return line;
}

std::string merge_statement_sql() {
  std::string names;    // account_sid, call_type, ...
  std::string updates;  // account_sid = EXCLUDED.account_sid, ...
  for (const auto& column : summary_columns()) {
    const std::string name = column.name;
    names += name + ", ";
    updates +=
        name + (column.keep_when_null ? " = COALESCE(EXCLUDED." + name + ", cs." + name + "), "
                                      : " = EXCLUDED." + name + ", ");
  }

  // `page`: the staged rows, already one per call_sid (sink/changed_rows.hpp chose which: ON
  // CONFLICT cannot touch the same row twice in one statement), in call_sid order so two
  // merges over the same calls lock them in the same order and wait instead of deadlocking.
  // `refused` is computed from the snapshot before the upsert: incoming non-complete rows whose
  // stored row is complete and differs. Only those need the extra lookup.
  // xmax = 0 on a RETURNING row means it was inserted rather than updated.
  std::string typed;  // account_sid::text AS account_sid, ...: each field parsed once, here
  for (const auto& column : summary_columns()) {
    typed += std::string(", ") + column.name + "::" + column.sql_type + " AS " + column.name;
  }
  return std::string("WITH page AS (SELECT ordinal, call_sid") + typed +
         ", content_hash::bytea AS content_hash FROM " + kStagingTable +
         " ORDER BY call_sid),"
         " refused AS (SELECT 1 FROM page p JOIN call_summaries cs ON cs.call_sid = p.call_sid"
         " WHERE p.processing_state IS DISTINCT FROM 'complete'"
         " AND cs.processing_state = 'complete' AND cs.content_hash <> p.content_hash),"
         " written AS (INSERT INTO call_summaries AS cs (call_sid, " +
         names +
         "source, content_hash, first_seen_at, last_changed_at, completed_at)"
         " SELECT call_sid, " +
         names +
         "$1, content_hash, now(), now(),"
         " CASE WHEN processing_state = 'complete' THEN now() END FROM page"
         " ON CONFLICT (call_sid) DO UPDATE SET " +
         updates +
         "source = EXCLUDED.source, content_hash = EXCLUDED.content_hash,"
         " last_changed_at = now(), completed_at = COALESCE(cs.completed_at, "
         "EXCLUDED.completed_at)"
         " WHERE cs.content_hash <> EXCLUDED.content_hash"
         " AND NOT (cs.processing_state IS NOT DISTINCT FROM 'complete'"
         " AND EXCLUDED.processing_state IS DISTINCT FROM 'complete')"
         " RETURNING (xmax = 0) AS inserted)"
         " SELECT (SELECT count(*) FROM written WHERE inserted),"
         " (SELECT count(*) FROM written WHERE NOT inserted),"
         " (SELECT count(*) FROM refused)";
}

}  // namespace insights
