#pragma once
// Applies the numbered schema migrations and checks that a database's schema is one this
// binary understands.
//
// All pending migrations are applied in ONE transaction under a transaction-scoped advisory
// lock, so concurrent `migrate` runs serialise, a failure leaves the schema as it was, and a
// second run is a no-op. Applied versions are recorded in schema_migrations.

#include <pqxx/connection>
#include <vector>

#include "core/error_kind.hpp"
#include "schema/embedded_migrations.hpp"

namespace insights {

struct MigrationReport {
  int version_before = 0;  // 0 = empty database
  int version_after = 0;
  std::vector<int> applied;  // versions applied by this run, in order
};

// The database's schema is newer than this binary knows (fatal), or older than it needs
// (fatal until `insights-sync migrate` runs).
class SchemaMismatchError : public SyncError {
 public:
  explicit SchemaMismatchError(const std::string& message) : SyncError(ErrorKind::fatal, message) {}
};

// Applies every migration whose version is above the database's. Throws SchemaMismatchError
// when the database holds a version this binary does not know; libpqxx errors propagate (the
// transaction is rolled back).
MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations);

// The highest applied version, or 0 when the database has never been migrated.
int current_schema_version(pqxx::connection& connection);

// Throws SchemaMismatchError unless the database is exactly at the latest known version.
void require_current_schema(pqxx::connection& connection, const std::vector<Migration>& migrations);

}  // namespace insights
