#pragma once
// The schema migrations compiled into this binary (schema/NNNN_name.sql), in version order.

#include <vector>

namespace insights {

struct Migration {
  int version;       // NNNN of the file name; versions increase, gaps allowed
  const char* name;  // the file name after "NNNN_", without ".sql"
  const char* sql;   // the file's text, applied as one simple-query batch
};

// Sorted by version; never empty.
const std::vector<Migration>& embedded_migrations();

}  // namespace insights
