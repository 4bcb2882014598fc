#include "sink/pg_error_kind.hpp"

#include <array>
#include <pqxx/except>
#include <utility>

namespace insights {
namespace {

// Exact codes first, then whole classes (the first two characters). Codes from
// https://www.postgresql.org/docs/15/errcodes-appendix.html
constexpr std::array<std::pair<std::string_view, ErrorKind>, 13> kExactCodes = {{
    {"40001", ErrorKind::retry},         // serialization_failure
    {"40P01", ErrorKind::retry},         // deadlock_detected
    {"55P03", ErrorKind::retry},         // lock_not_available (lock_timeout)
    {"57014", ErrorKind::retry},         // query_canceled (statement_timeout)
    {"57P01", ErrorKind::retry},         // admin_shutdown (pg_terminate_backend, restart)
    {"57P02", ErrorKind::retry},         // crash_shutdown
    {"57P03", ErrorKind::retry},         // cannot_connect_now (server starting up)
    {"25P02", ErrorKind::retry},         // in_failed_sql_transaction
    {"53300", ErrorKind::retry},         // too_many_connections
    {"3D000", ErrorKind::stop_process},  // invalid_catalog_name: the database does not exist
    {"42501", ErrorKind::stop_process},  // insufficient_privilege
    {"42P01", ErrorKind::stop_process},  // undefined_table: schema not migrated
    {"42703", ErrorKind::stop_process},  // undefined_column: schema older than this binary
}};

constexpr std::array<std::pair<std::string_view, ErrorKind>, 13> kClasses = {{
    {"08", ErrorKind::retry},         // connection exception
    {"40", ErrorKind::retry},         // transaction rollback
    {"53", ErrorKind::retry},         // insufficient resources (disk full, out of memory)
    {"55", ErrorKind::retry},         // object not in prerequisite state
    {"57", ErrorKind::retry},         // operator intervention
    {"58", ErrorKind::retry},         // system error (I/O)
    {"22", ErrorKind::park},          // data exception: a value in the page was refused
    {"23", ErrorKind::park},          // integrity constraint violation
    {"0A", ErrorKind::stop_process},  // feature not supported
    {"28", ErrorKind::stop_process},  // invalid authorization specification
    {"3F", ErrorKind::stop_process},  // invalid schema name
    {"42", ErrorKind::stop_process},  // syntax error or access rule violation
    {"XX", ErrorKind::stop_process},  // internal error (e.g. data corrupted)
}};

}  // namespace

ErrorKind error_kind_for_sqlstate(std::string_view sqlstate) {
  for (const auto& [code, kind] : kExactCodes) {
    if (code == sqlstate)
      return kind;
  }
  for (const auto& [prefix, kind] : kClasses) {
    if (sqlstate.substr(0, 2) == prefix)
      return kind;
  }
  return ErrorKind::retry;
}

ErrorKind classify_database_error(const std::exception& error) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    if (!sql->sqlstate().empty())
      return error_kind_for_sqlstate(sql->sqlstate());
    // libpqxx 6.4 throws insufficient_privilege (42501) without its SQLSTATE. Without this a
    // role lacking a grant would be retried forever instead of stopping with the reason.
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&error) != nullptr)
      return ErrorKind::stop_process;
    return ErrorKind::retry;
  }
  // Connection lost, commit outcome unknown, serialization failure or deadlock without a
  // SQLSTATE: the page is idempotent and its cursor check catches a commit that did land.
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) {
    return ErrorKind::retry;
  }
  // Misuse of the library or of our own invariants: a bug.
  if (dynamic_cast<const pqxx::usage_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::internal_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::conversion_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::argument_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::range_error*>(&error) != nullptr) {
    return ErrorKind::stop_process;
  }
  if (dynamic_cast<const pqxx::failure*>(&error) != nullptr)
    return ErrorKind::retry;
  return ErrorKind::stop_process;
}

std::string describe_database_error(const std::exception& error) {
  std::string message = error.what();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error);
  const bool privilege = dynamic_cast<const pqxx::insufficient_privilege*>(&error) != nullptr ||
                         (sql != nullptr && sql->sqlstate() == "42501");
  if (privilege) {
    message +=
        " (the database role lacks a privilege insights-sync needs: the grants are in "
        "docs/operations.md, \"Database role\")";
  }
  return message;
}

}  // namespace insights
