#include "daemon/database_check.hpp"

#include <memory>
#include <pqxx/except>
#include <pqxx/transaction>

#include "core/error.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
#include "sink/pg_error_kind.hpp"
#include "sink/service_role_privileges.hpp"

namespace insights {
namespace {

CheckLine failed(std::string subject, std::string text, int exit_code) {
  return CheckLine{.subject = std::move(subject),
                   .verdict = CheckVerdict::failed,
                   .text = std::move(text),
                   .exit_code = exit_code};
}

CheckLine not_checked(std::string subject, std::string why) {
  return CheckLine{.subject = std::move(subject),
                   .verdict = CheckVerdict::not_checked,
                   .text = "not checked: " + std::move(why),
                   .exit_code = kExitOk};
}

CheckLine passed(std::string subject, std::string text) {
  return CheckLine{.subject = std::move(subject),
                   .verdict = CheckVerdict::passed,
                   .text = std::move(text),
                   .exit_code = kExitOk};
}

// libpq's hint lines ("\tIs the server running ...?") indented like the report's own.
std::string indented(std::string text) {
  for (std::size_t at = text.find("\n\t"); at != std::string::npos; at = text.find("\n\t", at))
    text.replace(at, 2, "\n    ");
  return text;
}

CheckLine connected(pqxx::connection& connection, const std::string& origin) {
  pqxx::read_transaction transaction(connection, "check server");
  const pqxx::row row = transaction.exec1(
      "SELECT current_setting('server_version'), current_user, current_database()");
  return passed("database", "connected to PostgreSQL " + row[0].as<std::string>() + " as role " +
                                row[1].as<std::string>() + ", database " +
                                row[2].as<std::string>() + " (connection string from " + origin +
                                ")");
}

CheckLine schema_line(pqxx::connection& connection) {
  const int known = embedded_migrations().back().version;
  const std::string versions = "version " + std::to_string(current_schema_version(connection)) +
                               " in the database, this insights-sync knows " +
                               std::to_string(known);
  try {
    require_compatible_schema(connection, embedded_migrations());
  } catch (const SchemaMismatchError& error) {
    return failed("schema", versions + ": not compatible: " + error.what(), kExitSchemaMismatch);
  }
  return passed("schema", versions + ": compatible");
}

CheckLine privileges_line(pqxx::connection& connection, bool retention_enabled) {
  const PrivilegeCheck check = check_service_role_privileges(connection, retention_enabled);
  const std::string needed =
      std::to_string(check.required.size()) + " privileges insights-sync needs" +
      (retention_enabled ? " (with DELETE on call_summaries for [retention])" : "");
  if (check.missing.empty())
    return passed("privileges", "role " + check.role + " holds all " + needed);
  std::string text = "role " + check.role + " lacks " + std::to_string(check.missing.size()) +
                     " of the " + needed + "; a database owner grants them with:";
  for (const auto& privilege : check.missing) {
    text += "\n    " + grant_statement(privilege, check.database, check.role) + "  -- " +
            describe_privilege(privilege, check.database);
  }
  return failed("privileges", text, kExitDatabase);
}

}  // namespace

std::vector<CheckLine> check_database(const std::string& conninfo, const std::string& origin,
                                      bool retention_enabled) {
  std::vector<CheckLine> lines;
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = open_connection(conninfo);
    lines.push_back(connected(*connection, origin));
  } catch (const std::exception& error) {
    // open_connection's message is libpq's reason, never the connection string.
    lines.push_back(
        failed("database",
               "connection string from " + origin + ": " + indented(describe_database_error(error)),
               kExitDatabase));
    lines.push_back(not_checked("schema", "no database connection"));
    lines.push_back(not_checked("privileges", "no database connection"));
    return lines;
  }

  bool schema_usable = false;
  try {
    lines.push_back(schema_line(*connection));
    schema_usable = lines.back().verdict == CheckVerdict::passed;
  } catch (const pqxx::failure& error) {
    // E.g. no SELECT on schema_migrations: the privileges line below names it.
    lines.push_back(failed("schema",
                           "cannot read the schema version: " + describe_database_error(error),
                           kExitDatabase));
    schema_usable = true;
  }
  if (!schema_usable) {
    lines.push_back(not_checked("privileges", "the schema is not one this insights-sync runs on"));
    return lines;
  }
  try {
    lines.push_back(privileges_line(*connection, retention_enabled));
  } catch (const pqxx::failure& error) {
    lines.push_back(failed("privileges", "cannot check them: " + describe_database_error(error),
                           kExitDatabase));
  }
  return lines;
}

}  // namespace insights
