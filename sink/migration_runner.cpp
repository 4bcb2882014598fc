#include "sink/migration_runner.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>

namespace insights {
namespace {

// Arbitrary but fixed: every insights-sync process serialises schema changes on this key.
constexpr long long kMigrationLockKey = 0x696e73796e63;  // "insync"

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

int latest_version(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

int version_in(pqxx::transaction_base& transaction) {
  const auto exists = transaction.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>())
    return 0;
  return transaction.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

std::string too_new_message(int database_version, int known_version) {
  return "the database schema is at version " + std::to_string(database_version) +
         ", newer than this insights-sync knows (" + std::to_string(known_version) +
         "); upgrade insights-sync, or point it at another database";
}

}  // namespace

MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations) {
  pqxx::work transaction(connection, "migrate");
  transaction.exec_params1("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  transaction.exec0(kCreateVersionTable);

  MigrationReport report;
  report.version_before = version_in(transaction);
  if (report.version_before > latest_version(migrations)) {
    throw SchemaMismatchError(too_new_message(report.version_before, latest_version(migrations)));
  }
  for (const auto& migration : migrations) {
    if (migration.version <= report.version_before)
      continue;
    transaction.exec0(migration.sql);
    transaction.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                             migration.version, migration.name);
    report.applied.push_back(migration.version);
  }
  report.version_after = report.applied.empty() ? report.version_before : report.applied.back();
  transaction.commit();
  return report;
}

int current_schema_version(pqxx::connection& connection) {
  pqxx::read_transaction transaction(connection);
  return version_in(transaction);
}

void require_current_schema(pqxx::connection& connection,
                            const std::vector<Migration>& migrations) {
  const int database_version = current_schema_version(connection);
  const int known = latest_version(migrations);
  if (database_version > known)
    throw SchemaMismatchError(too_new_message(database_version, known));
  if (database_version < known) {
    throw SchemaMismatchError("the database schema is at version " +
                              std::to_string(database_version) + ", this insights-sync needs " +
                              std::to_string(known) + "; run `insights-sync migrate` first");
  }
}

}  // namespace insights
