#pragma once
// The schema migrations compiled into this binary (schema/NNNN_name.sql), in version order.

#include <vector>

namespace insights {

struct Migration {
  int version;       // NNNN of the file name; versions increase, gaps allowed
  const char* name;  // the file name after "NNNN_", without ".sql"
  const char* sql;   // the file's text, applied as one simple-query batch
  // The file's "-- compatibility: expand" line: binaries that do not know this migration may
  // keep running against a database that has it (it only adds). "contract" (and every migration
  // before 0007, which predate the line) means they must be upgraded first.
  bool keeps_older_binaries = false;
};

// Sorted by version; never empty.
const std::vector<Migration>& embedded_migrations();

}  // namespace insights
