#include "sink/migration_runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <thread>

#include "tests/support/test_database.hpp"

namespace insights::testing {
namespace {

std::string scalar_on(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction transaction(connection);
  const auto row = transaction.exec1(sql);
  return row[0].is_null() ? std::string() : row[0].as<std::string>();
}

void execute_on(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction(connection).exec0(sql);
}

TEST(MigrationRunner, EmbeddedMigrationsAreNumberedInOrder) {
  const auto& migrations = embedded_migrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, 1);
  for (size_t i = 1; i < migrations.size(); ++i) {
    EXPECT_LT(migrations[i - 1].version, migrations[i].version);
  }
}

TEST(MigrationRunner, MigratingTwiceCreatesTheSchemaOnce) {
  TestDatabase db;
  auto connection = db.connect();
  EXPECT_EQ(current_schema_version(*connection), 0);

  const auto first = apply_migrations(*connection, embedded_migrations());
  EXPECT_EQ(first.version_before, 0);
  EXPECT_EQ(first.version_after, embedded_migrations().back().version);
  EXPECT_EQ(first.applied.size(), embedded_migrations().size());

  const auto second = apply_migrations(*connection, embedded_migrations());
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(second.version_before, second.version_after);
  EXPECT_EQ(scalar_on(*connection, "SELECT count(*) FROM schema_migrations"),
            std::to_string(embedded_migrations().size()));
  for (const char* table : {"call_summaries", "work_items", "sources", "schema_migrations"}) {
    EXPECT_EQ(
        scalar_on(*connection, std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  }
  EXPECT_NO_THROW(require_compatible_schema(*connection, embedded_migrations()));
}

TEST(MigrationRunner, ConcurrentMigrationsSerialiseAndApplyOnce) {
  TestDatabase db;
  std::vector<MigrationReport> reports(4);
  std::vector<std::thread> threads;
  for (auto& report : reports) {
    threads.emplace_back([&db, &report] {
      auto connection = db.connect();
      report = apply_migrations(*connection, embedded_migrations());
    });
  }
  for (auto& thread : threads)
    thread.join();
  size_t applied = 0;
  for (const auto& report : reports)
    applied += report.applied.size();
  EXPECT_EQ(applied, embedded_migrations().size());
}

TEST(MigrationRunner, RefusesASchemaNewerThroughAContractMigration) {
  TestDatabase db;
  auto connection = db.connect();
  apply_migrations(*connection, embedded_migrations());
  execute_on(*connection,
             "INSERT INTO schema_migrations (version, name, keeps_older_binaries)"
             " VALUES (9998, 'add_column', true), (9999, 'drop_column', false)");
  try {
    apply_migrations(*connection, embedded_migrations());
    ADD_FAILURE() << "expected SchemaMismatchError";
  } catch (const SchemaMismatchError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("at version 9999"), std::string::npos) << message;
    EXPECT_NE(message.find("migration 9999 (drop_column) does not keep older binaries running"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("9998 (add_column)"), std::string::npos) << message;
    EXPECT_NE(message.find("upgrade insights-sync"), std::string::npos) << message;
    EXPECT_EQ(error.kind(), ErrorKind::stop_process);
  }
  EXPECT_THROW(require_compatible_schema(*connection, embedded_migrations()), SchemaMismatchError);
}

// The rolling upgrade: another instance migrated to versions this binary does not know, and
// each of them says "expand" (it only added), so this binary keeps running.
TEST(MigrationRunner, ASchemaNewerThroughExpandMigrationsOnlyKeepsOlderBinariesRunning) {
  TestDatabase db;
  auto connection = db.connect();
  apply_migrations(*connection, embedded_migrations());
  execute_on(*connection,
             "INSERT INTO schema_migrations (version, name, keeps_older_binaries)"
             " VALUES (9998, 'add_index', true), (9999, 'add_column', true)");
  EXPECT_NO_THROW(require_compatible_schema(*connection, embedded_migrations()));
  const MigrationReport report = apply_migrations(*connection, embedded_migrations());
  EXPECT_TRUE(report.newer_and_compatible);
  EXPECT_TRUE(report.applied.empty());
  EXPECT_EQ(report.version_after, 9999);
}

// A database migrated before the compatibility column existed: the next migration adds it, and
// what was applied before counts as "contract" (it predates the line).
TEST(MigrationRunner, ADatabaseWithoutTheCompatibilityColumnGetsIt) {
  TestDatabase db;
  auto connection = db.connect();
  const auto& all = embedded_migrations();
  apply_migrations(*connection, {all.begin(), all.end() - 1});
  execute_on(*connection, "ALTER TABLE schema_migrations DROP COLUMN keeps_older_binaries");
  EXPECT_THROW(require_compatible_schema(*connection, all), SchemaMismatchError)
      << "one migration behind";
  const MigrationReport report = apply_migrations(*connection, all);
  EXPECT_EQ(report.applied.size(), 1u);
  // The rows from before the column read as contract; the one applied now records its own line.
  const std::size_t contract = all.size() - 1 + (all.back().keeps_older_binaries ? 0 : 1);
  EXPECT_EQ(scalar_on(*connection,
                      "SELECT count(*) FROM schema_migrations WHERE NOT keeps_older_binaries"),
            std::to_string(contract));
  EXPECT_EQ(scalar_on(*connection,
                      "SELECT keeps_older_binaries FROM schema_migrations"
                      " ORDER BY version DESC LIMIT 1"),
            all.back().keeps_older_binaries ? "t" : "f");
  EXPECT_NO_THROW(require_compatible_schema(*connection, all));
}

TEST(MigrationRunner, ADatabaseBehindIsRefusedWithWhatToRun) {
  TestDatabase db;
  auto connection = db.connect();
  const auto& all = embedded_migrations();
  apply_migrations(*connection, {all.begin(), all.end() - 1});
  try {
    require_compatible_schema(*connection, all);
    ADD_FAILURE() << "expected SchemaMismatchError";
  } catch (const SchemaMismatchError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("at version " + std::to_string(all[all.size() - 2].version) +
                           ", this insights-sync needs " + std::to_string(all.back().version)),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("have the database owner run `insights-sync migrate`"),
              std::string::npos)
        << message;
  }
}

// The service's role has no CREATE anywhere: `migrate` on a current schema reads, finds nothing
// to do and succeeds; with a migration pending it is refused by the server (the command turns
// that into "run it as the database owner").
TEST(MigrationRunner, NothingPendingNeedsOnlyReadingAndPendingNeedsTheOwner) {
  TestDatabase db;
  auto admin = db.connect();
  const std::string role = "migrate_reader_" + std::to_string(getpid());
  execute_on(*admin, "CREATE ROLE " + role + " LOGIN");
  execute_on(*admin, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  execute_on(*admin, "GRANT USAGE ON SCHEMA public TO " + role);
  const auto& all = embedded_migrations();
  apply_migrations(*admin, {all.begin(), all.end() - 1});
  execute_on(*admin, "GRANT SELECT ON schema_migrations TO " + role);
  {
    pqxx::connection service(db.conninfo() + " user=" + role);
    EXPECT_THROW(apply_migrations(service, all), pqxx::insufficient_privilege);
  }
  apply_migrations(*admin, all);
  {
    pqxx::connection service(db.conninfo() + " user=" + role);
    const MigrationReport report = apply_migrations(service, all);
    EXPECT_TRUE(report.applied.empty());
    EXPECT_EQ(report.version_after, all.back().version);
    EXPECT_NO_THROW(require_compatible_schema(service, all));
  }
  execute_on(*admin, "DROP OWNED BY " + role);
  execute_on(*admin, "DROP ROLE " + role);
}

// A superuser migrating a database that belongs to another role creates the objects as that
// role, so the schema has one owner whoever runs `migrate`.
TEST(MigrationRunner, MigrationsRunAsTheDatabaseOwner) {
  auto db = std::make_unique<TestDatabase>();
  const std::string owner = "migrate_owner_" + std::to_string(getpid());
  {
    auto admin = db->connect();
    execute_on(*admin, "CREATE ROLE " + owner + " NOLOGIN");
    // 0004 creates this cluster-wide role unless it exists; the owner may not create roles.
    execute_on(*admin,
               "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
               "'insights_reader') THEN CREATE ROLE insights_reader NOLOGIN; END IF; END $$");
    execute_on(*admin, "ALTER DATABASE " + db->name() + " OWNER TO " + owner);
    execute_on(*admin, "ALTER SCHEMA public OWNER TO " + owner);
    apply_migrations(*admin, embedded_migrations());
    EXPECT_EQ(scalar_on(*admin,
                        "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables"
                        " WHERE schemaname IN ('public', 'bi')"),
              owner);
    EXPECT_EQ(
        scalar_on(*admin, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'bi'"),
        owner);
    EXPECT_EQ(scalar_on(*admin, "SELECT current_user"), "insights_test") << "SET LOCAL only";
  }
  db.reset();  // the database goes before the role that owns it
  TestDatabase other;
  execute_on(*other.connect(), "DROP ROLE " + owner);
}

TEST(MigrationRunner, AnEmptyDatabaseIsNotCurrent) {
  TestDatabase db;
  auto connection = db.connect();
  try {
    require_compatible_schema(*connection, embedded_migrations());
    ADD_FAILURE() << "expected SchemaMismatchError";
  } catch (const SchemaMismatchError& error) {
    EXPECT_NE(std::string(error.what()).find("insights-sync migrate"), std::string::npos);
  }
}

TEST(MigrationRunner, AFailingMigrationLeavesTheSchemaAsItWas) {
  TestDatabase db;
  auto connection = db.connect();
  const std::vector<Migration> broken = {
      {1, "good", "CREATE TABLE first_table (id integer)"},
      {2, "bad", "CREATE TABLE second_table (id integer); SELECT no_such_function()"},
  };
  EXPECT_ANY_THROW(apply_migrations(*connection, broken));
  EXPECT_EQ(scalar_on(*connection, "SELECT to_regclass('first_table') IS NULL"), "t");
  EXPECT_EQ(current_schema_version(*connection), 0);
}

}  // namespace
}  // namespace insights::testing
