#include "sink/service_role_privileges.hpp"

#include <array>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction>

namespace insights {
namespace {

using enum PrivilegeOn;

// docs/operations.md "Database role", grant by grant.
constexpr std::array<ServiceRolePrivilege, 17> kPrivileges = {{
    {database, "", "CONNECT", false},
    {database, "", "TEMPORARY", false},  // each page is copied into a temporary staging table
    {schema, "public", "USAGE", false},
    {table, "call_summaries", "SELECT", false},
    {table, "call_summaries", "INSERT", false},
    {table, "call_summaries", "UPDATE", false},
    {table, "sources", "SELECT", false},
    {table, "sources", "INSERT", false},
    {table, "sources", "UPDATE", false},
    {table, "work_items", "SELECT", false},
    {table, "work_items", "INSERT", false},
    {table, "work_items", "UPDATE", false},
    {table, "work_items", "DELETE", false},  // a busy backfill window is replaced by its pieces
    {table, "backfills", "SELECT", false},
    {table, "backfills", "INSERT", false},
    {table, "schema_migrations", "SELECT", false},
    {table, "call_summaries", "DELETE", true},  // retention deletes old summaries
}};

bool held(pqxx::transaction_base& transaction, const ServiceRolePrivilege& privilege) {
  const std::string wanted(privilege.privilege);
  const std::string object(privilege.object);
  switch (privilege.on) {
    case database:
      return transaction
          .exec_params1("SELECT has_database_privilege(current_database(), $1)", wanted)[0]
          .as<bool>();
    case schema:
      return transaction
          .exec_params1(
              "SELECT coalesce(has_schema_privilege(n.oid, $2), false) FROM (SELECT 1) AS one"
              " LEFT JOIN pg_namespace n ON n.nspname = $1",
              object, wanted)[0]
          .as<bool>();
    case table:
      // to_regclass: NULL (so not held) when the table does not exist, instead of an error.
      return transaction
          .exec_params1("SELECT coalesce(has_table_privilege(to_regclass($1), $2), false)", object,
                        wanted)[0]
          .as<bool>();
  }
  return false;
}

}  // namespace

std::span<const ServiceRolePrivilege> service_role_privileges() {
  return kPrivileges;
}

std::vector<ServiceRolePrivilege> required_privileges(bool retention_enabled) {
  std::vector<ServiceRolePrivilege> required;
  for (const auto& privilege : kPrivileges) {
    if (!privilege.only_with_retention || retention_enabled)
      required.push_back(privilege);
  }
  return required;
}

std::string describe_privilege(const ServiceRolePrivilege& privilege, std::string_view database) {
  const std::string what(privilege.privilege);
  switch (privilege.on) {
    case PrivilegeOn::database:
      return what + " on database " + std::string(database);
    case PrivilegeOn::schema:
      return what + " on schema " + std::string(privilege.object);
    case PrivilegeOn::table:
      return what + " on table " + std::string(privilege.object);
  }
  return what;
}

std::string grant_statement(const ServiceRolePrivilege& privilege, std::string_view database,
                            std::string_view role) {
  std::string on;
  switch (privilege.on) {
    case PrivilegeOn::database:
      on = "DATABASE " + std::string(database);
      break;
    case PrivilegeOn::schema:
      on = "SCHEMA " + std::string(privilege.object);
      break;
    case PrivilegeOn::table:
      on = std::string(privilege.object);
      break;
  }
  return "GRANT " + std::string(privilege.privilege) + " ON " + on + " TO " + std::string(role) +
         ";";
}

PrivilegeCheck check_service_role_privileges(pqxx::connection& connection, bool retention_enabled) {
  PrivilegeCheck check;
  check.required = required_privileges(retention_enabled);
  pqxx::read_transaction transaction(connection, "check privileges");
  const pqxx::row names =
      transaction.exec1("SELECT quote_ident(current_user), quote_ident(current_database())");
  check.role = names[0].as<std::string>();
  check.database = names[1].as<std::string>();
  for (const auto& privilege : check.required) {
    if (!held(transaction, privilege))
      check.missing.push_back(privilege);
  }
  return check;
}

}  // namespace insights
