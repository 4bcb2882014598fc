#include "tests/support/test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <stdexcept>

#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"

namespace insights::testing {
namespace {

std::string cluster_conninfo() {
  const char* value = std::getenv("INSIGHTS_TEST_PG");
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(
        "INSIGHTS_TEST_PG is not set: these tests need the throwaway PostgreSQL cluster that "
        "tests/run-tests.sh starts (run the suite through it)");
  }
  return value;
}

std::string unique_database_name() {
  static std::atomic<int> counter{0};
  return "insights_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

}  // namespace

TestDatabase::TestDatabase()
    : cluster_(cluster_conninfo()),
      name_(unique_database_name()),
      conninfo_(cluster_ + " dbname=" + name_) {
  pqxx::connection admin(cluster_ + " dbname=postgres");
  pqxx::nontransaction(admin).exec0("CREATE DATABASE " + name_ + " TEMPLATE template0");
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(cluster_ + " dbname=postgres");
    pqxx::nontransaction(admin).exec0("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& error) {
    // A leftover database dies with the throwaway cluster; failing a destructor helps no one.
    ADD_FAILURE() << "could not drop test database " << name_ << ": " << error.what();
  }
}

void TestDatabase::migrate() {
  auto connection = connect();
  apply_migrations(*connection, embedded_migrations());
}

std::unique_ptr<pqxx::connection> TestDatabase::connect() const {
  return std::make_unique<pqxx::connection>(conninfo_);
}

void PgTest::SetUp() {
  db = std::make_unique<TestDatabase>();
  db->migrate();
  pg = db->connect();
}

void PgTest::TearDown() {
  pg.reset();
  db.reset();
}

long long PgTest::create_work_item(const std::string& source, const std::string& start,
                                   const std::string& end) {
  pqxx::work transaction(*pg);
  transaction.exec_params0("INSERT INTO sources (name) VALUES ($1) ON CONFLICT DO NOTHING", source);
  const auto id = transaction
                      .exec_params1(
                          "INSERT INTO work_items (source, kind, window_start, window_end)"
                          " VALUES ($1, 'live', $2, $3) RETURNING id",
                          source, start, end)[0]
                      .as<long long>();
  transaction.commit();
  return id;
}

std::string PgTest::scalar(const std::string& sql) {
  pqxx::nontransaction transaction(*pg);
  const auto row = transaction.exec1(sql);
  return row[0].is_null() ? std::string() : row[0].as<std::string>();
}

}  // namespace insights::testing
