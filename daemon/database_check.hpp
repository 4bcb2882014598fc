#pragma once
// `check-config --connect` for the database `run` would use: can it connect (server version,
// role), is the schema one this binary runs against, and does the role hold every privilege
// the service needs (sink/service_role_privileges.hpp).
//
// Lines: "database" (failed: exit 3, libpq's reason; the connection string is never shown),
// "schema" (failed: exit 4, or 3 when it cannot be read), "privileges" (failed: exit 3, each
// missing privilege with the GRANT a database owner runs). A line whose check needs an earlier
// one that failed is not_checked.
// Threading: blocks the calling thread on its own connection.

#include <string>
#include <vector>

#include "daemon/check_line.hpp"

namespace insights {

// `conninfo` as `run` resolves it; `origin` says where it came from ("the config file");
// `retention_enabled`: the role also needs DELETE on call_summaries.
std::vector<CheckLine> check_database(const std::string& conninfo, const std::string& origin,
                                      bool retention_enabled);

}  // namespace insights
