#include "sink/migration_runner.hpp"

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>

namespace insights {
namespace {

// Arbitrary but fixed: every insights-sync process serialises schema changes on this key.
constexpr long long kMigrationLockKey = 0x696e73796e63;  // "insync"

// The runner's own table, not a migration's: it must exist before the first migration runs.
// keeps_older_binaries came with insights-sync 0.2.0; databases migrated before have the table
// without it, and every row they hold is a migration older binaries cannot run against.
constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " keeps_older_binaries boolean NOT NULL DEFAULT false)";
constexpr const char* kAddCompatibilityColumn =
    "ALTER TABLE schema_migrations"
    " ADD COLUMN keeps_older_binaries boolean NOT NULL DEFAULT false";

int latest_version(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

int version_in(pqxx::transaction_base& transaction) {
  const auto exists = transaction.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>())
    return 0;
  return transaction.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

bool has_compatibility_column(pqxx::transaction_base& transaction) {
  return transaction
      .exec1(
          "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = "
          "'schema_migrations'::regclass AND attname = 'keeps_older_binaries' AND NOT "
          "attisdropped)")[0]
      .as<bool>();
}

// The migrations above `known` that do not keep older binaries running, as "8 (drop_x)"; empty
// when the database is newer only through "expand" migrations.
std::string breaking_migrations_above(pqxx::transaction_base& transaction, int known) {
  const std::string keeps =
      has_compatibility_column(transaction) ? "keeps_older_binaries" : "false";
  std::string breaking;
  for (const auto& row : transaction.exec_params(
           "SELECT version, name FROM schema_migrations WHERE version > $1 AND NOT " + keeps +
               " ORDER BY version",
           known)) {
    breaking += std::string(breaking.empty() ? "" : ", ") + row[0].as<std::string>() + " (" +
                row[1].as<std::string>() + ")";
  }
  return breaking;
}

std::string too_new_message(int database_version, int known_version, const std::string& breaking) {
  return "the database schema is at version " + std::to_string(database_version) +
         ", newer than this insights-sync knows (" + std::to_string(known_version) +
         "), and migration " + breaking +
         " does not keep older binaries running; upgrade insights-sync on this host (or point it "
         "at another database)";
}

std::string behind_message(int database_version, int known_version) {
  const std::string where = database_version == 0
                                ? std::string("the database has no insights-sync schema yet")
                                : "the database schema is at version " +
                                      std::to_string(database_version) +
                                      ", this insights-sync needs " + std::to_string(known_version);
  return where +
         ": have the database owner run `insights-sync migrate` first (docs/operations.md, "
         "\"Upgrading\")";
}

// Throws unless a binary knowing up to `known` may run against a database at `database_version`.
void check_compatible(pqxx::transaction_base& transaction, int database_version, int known) {
  if (database_version < known)
    throw SchemaMismatchError(behind_message(database_version, known));
  if (database_version > known) {
    const std::string breaking = breaking_migrations_above(transaction, known);
    if (!breaking.empty())
      throw SchemaMismatchError(too_new_message(database_version, known, breaking));
  }
}

// Whoever runs `migrate` (a superuser, or a member of the owner's role), the objects belong to
// the database's owner: a schema whose tables have several owners breaks the grants and
// default privileges later migrations rely on. A role that may not act as the owner migrates
// as itself, as before.
void act_as_database_owner(pqxx::transaction_base& transaction) {
  const pqxx::row owner = transaction.exec1(
      "SELECT d.datdba::regrole::text, d.datdba <> (SELECT oid FROM pg_roles WHERE rolname = "
      "current_user) AND pg_has_role(d.datdba, 'MEMBER') FROM pg_database d"
      " WHERE d.datname = current_database()");
  if (owner[1].as<bool>())
    transaction.exec0("SET LOCAL ROLE " + owner[0].as<std::string>());
}

}  // namespace

MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations) {
  const int known = latest_version(migrations);
  MigrationReport report;
  {
    // Nothing to do is the common case (every start of an instance that runs migrate): decide it
    // from a read, which the service role's grants allow, without taking the lock.
    pqxx::read_transaction look(connection, "migrate: look");
    report.version_before = version_in(look);
    if (report.version_before >= known) {
      check_compatible(look, report.version_before, known);
      report.version_after = report.version_before;
      report.newer_and_compatible = report.version_before > known;
      return report;
    }
  }

  pqxx::work transaction(connection, "migrate");
  transaction.exec_params1("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  act_as_database_owner(transaction);
  transaction.exec0(kCreateVersionTable);
  // Only when missing: ALTER TABLE would hold an exclusive lock on the table until the
  // migrations commit, and running instances read it to check their compatibility.
  if (!has_compatibility_column(transaction))
    transaction.exec0(kAddCompatibilityColumn);
  // Another process may have migrated while this one waited for the lock.
  report.version_before = version_in(transaction);
  if (report.version_before >= known) {
    check_compatible(transaction, report.version_before, known);
    report.version_after = report.version_before;
    report.newer_and_compatible = report.version_before > known;
    transaction.commit();
    return report;
  }
  for (const auto& migration : migrations) {
    if (migration.version <= report.version_before)
      continue;
    transaction.exec0(migration.sql);
    transaction.exec_params0(
        "INSERT INTO schema_migrations (version, name, keeps_older_binaries) VALUES ($1, $2, $3)",
        migration.version, migration.name, migration.keeps_older_binaries);
    report.applied.push_back(migration.version);
  }
  report.version_after = report.applied.back();
  transaction.commit();
  return report;
}

int current_schema_version(pqxx::connection& connection) {
  pqxx::read_transaction transaction(connection);
  return version_in(transaction);
}

void require_compatible_schema(pqxx::connection& connection,
                               const std::vector<Migration>& migrations) {
  pqxx::read_transaction transaction(connection);
  check_compatible(transaction, version_in(transaction), latest_version(migrations));
}

}  // namespace insights
