#pragma once
// Opening a PostgreSQL connection the same way everywhere: one place that names the
// application, and turns a failure into a DatabaseError with a message a user can act on.
// Messages come from libpq and never contain the password.

#include <memory>
#include <pqxx/connection>
#include <string>

namespace insights {

// Connects using a libpq connection string or URI (empty = libpq environment defaults).
// Throws DatabaseError (kind from sink/pg_error_kind.hpp: retry for an unreachable server,
// fatal for a missing database or rejected credentials).
std::unique_ptr<pqxx::connection> open_connection(const std::string& conninfo);

// True when the connection string itself carries a password (we warn: command lines and
// config files leak; ~/.pgpass, PGPASSFILE or PGPASSWORD do not).
bool conninfo_has_password(const std::string& conninfo);

}  // namespace insights
