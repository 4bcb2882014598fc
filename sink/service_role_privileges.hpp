#pragma once
// The privileges the service role needs for everything but `migrate` (`run`, `sync --once`,
// `backfill`, `status`), defined once: docs/operations.md "Database role" lists the same grants
// for a database owner to run, and a test compares that list with this table so the two cannot
// drift (tests/sink/service_role_privileges_test.cpp). `check-config --connect` checks them for
// the role it connects as.
//
// Threading: the table is constant; the check uses the caller's connection (one thread).
// Errors: the check throws libpqxx's exceptions.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sink/pqxx_fwd.hpp"

namespace insights {

enum class PrivilegeOn { database, schema, table };

struct ServiceRolePrivilege {
  PrivilegeOn on = PrivilegeOn::table;
  std::string_view object;           // the schema or table; empty for the database connected to
  std::string_view privilege;        // CONNECT, TEMPORARY, USAGE, SELECT, INSERT, UPDATE or DELETE
  bool only_with_retention = false;  // needed only with [retention] delete_after_days > 0

  bool operator==(const ServiceRolePrivilege&) const = default;
};

// Every privilege, those only [retention] needs last.
std::span<const ServiceRolePrivilege> service_role_privileges();

// The privileges a daemon with this retention setting needs.
std::vector<ServiceRolePrivilege> required_privileges(bool retention_enabled);

// "INSERT on table sources", "TEMPORARY on database insights", "USAGE on schema public".
std::string describe_privilege(const ServiceRolePrivilege& privilege, std::string_view database);

// The statement a database owner runs to grant it, with the names as SQL identifiers (quoted
// where they need it): "GRANT INSERT ON sources TO insights_sync;",
// "GRANT TEMPORARY ON DATABASE insights TO insights_sync;".
std::string grant_statement(const ServiceRolePrivilege& privilege, std::string_view database,
                            std::string_view role);

struct PrivilegeCheck {
  std::string role;      // current_user, as an SQL identifier
  std::string database;  // current_database(), as an SQL identifier
  std::vector<ServiceRolePrivilege> required;
  std::vector<ServiceRolePrivilege> missing;  // in the table's order
};

// Which required privileges the connecting role (current_user) lacks, asked of the server
// (has_database_privilege, has_schema_privilege, has_table_privilege: grants to PUBLIC and to
// roles it belongs to count). A table that does not exist counts as lacking.
PrivilegeCheck check_service_role_privileges(pqxx::connection& connection, bool retention_enabled);

}  // namespace insights
