#pragma once
// A fresh, migrated database per test on the throwaway cluster that tests/run-tests.sh starts.
//
// The cluster is found through $INSIGHTS_TEST_PG (a libpq connection string without dbname).
// When it is missing the test FAILS: tests that need PostgreSQL never skip silently.

#include <gtest/gtest.h>

#include <memory>
#include <pqxx/connection>
#include <string>

namespace insights::testing {

class TestDatabase {
 public:
  // Creates an empty database with a unique name. Throws std::runtime_error with advice when
  // $INSIGHTS_TEST_PG is unset or the cluster is unreachable.
  TestDatabase();
  ~TestDatabase();  // drops the database (forcing out leftover connections)

  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

  // Applies the embedded migrations.
  void migrate();
  // A new connection to this database.
  std::unique_ptr<pqxx::connection> connect() const;

 private:
  std::string cluster_;
  std::string name_;
  std::string conninfo_;
};

// Base fixture for PostgreSQL tests: a migrated database in `db`, an open connection in `pg`.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Inserts a source and a live work item for [start, end) and returns its id.
  long long create_work_item(const std::string& source = "test",
                             const std::string& start = "2026-11-01T00:00:00Z",
                             const std::string& end = "2026-11-01T01:00:00Z");
  // Runs a query that returns one value, as text ("" for NULL).
  std::string scalar(const std::string& sql);

  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<pqxx::connection> pg;
};

}  // namespace insights::testing
