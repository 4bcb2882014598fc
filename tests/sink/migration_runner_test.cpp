#include "sink/migration_runner.hpp"

#include <gtest/gtest.h>

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
  EXPECT_NO_THROW(require_current_schema(*connection, embedded_migrations()));
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

TEST(MigrationRunner, RefusesASchemaNewerThanItKnows) {
  TestDatabase db;
  auto connection = db.connect();
  apply_migrations(*connection, embedded_migrations());
  scalar_on(*connection,
            "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future') RETURNING 1");
  try {
    apply_migrations(*connection, embedded_migrations());
    ADD_FAILURE() << "expected SchemaMismatchError";
  } catch (const SchemaMismatchError& error) {
    EXPECT_NE(std::string(error.what()).find("9999"), std::string::npos) << error.what();
    EXPECT_EQ(error.kind(), ErrorKind::fatal);
  }
  EXPECT_THROW(require_current_schema(*connection, embedded_migrations()), SchemaMismatchError);
}

TEST(MigrationRunner, AnEmptyDatabaseIsNotCurrent) {
  TestDatabase db;
  auto connection = db.connect();
  try {
    require_current_schema(*connection, embedded_migrations());
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
