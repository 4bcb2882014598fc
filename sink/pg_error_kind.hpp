#pragma once
// The one table that turns database failures into retry decisions (docs/development.md, "Errors").
//
//   retry  connection lost, server restarting, serialization failure, deadlock, lock or
//          statement timeout, out of resources: the same transaction can succeed later.
//   park   the page's data was refused (data exception, constraint violation): retrying the
//          same input cannot help; that work item is parked with the message, others go on.
//   fatal  the database is not what we need (missing database, bad credentials, missing
//          privileges, schema mismatch) or libpqxx was misused: a human has to act.

#include <exception>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace insights {

// Decision for a five-character SQLSTATE such as "40001". Unknown codes are `retry`: the
// scheduler's attempt limit parks a work item that keeps failing, without stopping others.
ErrorKind error_kind_for_sqlstate(std::string_view sqlstate);

// Decision for an exception thrown by libpqxx (uses the SQLSTATE when the exception has one).
// Exceptions that are not libpqxx's are `fatal`: they mean a bug, not a database condition.
ErrorKind classify_database_error(const std::exception& error);

// The exception's message without libpq's trailing newline; a refused privilege also says
// what to do about it (the grants are listed in docs/operations.md, "Database role").
std::string describe_database_error(const std::exception& error);

}  // namespace insights
