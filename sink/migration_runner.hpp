#pragma once
// Applies the numbered schema migrations and decides whether this binary may run against a
// database's schema.
//
// All pending migrations are applied in ONE transaction under a transaction-scoped advisory
// lock, so concurrent `migrate` runs serialise, a failure leaves the schema as it was, and a
// second run is a no-op. Applied versions are recorded in schema_migrations, with whether each
// keeps older binaries running (the migration's "-- compatibility:" line).
//
// Who may do what: applying migrations needs the owner of the database (CREATE on it and its
// schema). A superuser or a member of the owner's role may run it too: the migrations then run
// as the owner (SET ROLE), so every object belongs to the database's owner whoever migrated.
// Everything else here only reads schema_migrations, so a `migrate` that finds nothing to do, and
// every check, works for the service role with its minimal grants.
//
// Compatibility (expand/contract upgrades): a binary that knows migrations up to K runs against
// a database at version K, and against a newer one when every migration above K says
// "expand" (it only added). It never runs against an older one: its statements may use what the
// pending migrations add.

#include <string>
#include <vector>

#include "core/error.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/pqxx_fwd.hpp"

namespace insights {

struct MigrationReport {
  int version_before = 0;  // 0 = empty database
  int version_after = 0;
  std::vector<int> applied;  // versions applied by this run, in order
  // The database was already newer than this binary, through migrations that keep it running.
  bool newer_and_compatible = false;
};

// This binary may not run against the database's schema: it is newer through a migration that
// does not keep older binaries running, or it is behind (`insights-sync migrate` first). The
// message says which and what to do.
class SchemaMismatchError : public SyncError {
 public:
  explicit SchemaMismatchError(const std::string& message)
      : SyncError(ErrorKind::stop_process, message, {}, kExitSchemaMismatch) {}
};

// Applies every migration whose version is above the database's. Reads first and changes
// nothing when nothing is pending (no lock, no CREATE). Throws SchemaMismatchError when the
// database holds a newer version that this binary may not run against; libpqxx errors propagate
// (the transaction is rolled back).
MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations);

// The highest applied version, or 0 when the database has never been migrated.
int current_schema_version(pqxx::connection& connection);

// Throws SchemaMismatchError unless this binary (knowing `migrations`) may run against the
// database: exactly at its newest version, or newer through "expand" migrations only.
void require_compatible_schema(pqxx::connection& connection,
                               const std::vector<Migration>& migrations);

}  // namespace insights
