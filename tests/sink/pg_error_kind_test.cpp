#include "sink/pg_error_kind.hpp"

#include <gtest/gtest.h>

#include <pqxx/except>

namespace insights {
namespace {

struct SqlstateCase {
  const char* sqlstate;
  ErrorKind expected;
  const char* meaning;
};

TEST(PgErrorKind, SqlstateTable) {
  const SqlstateCase cases[] = {
      {"08006", ErrorKind::retry, "connection failure"},
      {"08001", ErrorKind::retry, "cannot establish connection"},
      {"40001", ErrorKind::retry, "serialization failure"},
      {"40P01", ErrorKind::retry, "deadlock"},
      {"55P03", ErrorKind::retry, "lock not available"},
      {"57014", ErrorKind::retry, "statement timeout"},
      {"57P01", ErrorKind::retry, "admin shutdown / pg_terminate_backend"},
      {"57P03", ErrorKind::retry, "server starting"},
      {"53100", ErrorKind::retry, "disk full"},
      {"53300", ErrorKind::retry, "too many connections"},
      {"58030", ErrorKind::retry, "I/O error"},
      {"25P02", ErrorKind::retry, "in failed transaction"},
      {"22003", ErrorKind::park, "numeric value out of range"},
      {"22P02", ErrorKind::park, "invalid text representation"},
      {"22021", ErrorKind::park, "invalid byte sequence"},
      {"23505", ErrorKind::park, "unique violation"},
      {"3D000", ErrorKind::stop_process, "database does not exist"},
      {"28P01", ErrorKind::stop_process, "password authentication failed"},
      {"42501", ErrorKind::stop_process, "insufficient privilege"},
      {"42P01", ErrorKind::stop_process, "undefined table"},
      {"42703", ErrorKind::stop_process, "undefined column"},
      {"0A000", ErrorKind::stop_process, "feature not supported"},
      {"XX001", ErrorKind::stop_process, "data corrupted"},
      {"P0001", ErrorKind::retry, "unknown class: retry, parked after attempts"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(error_kind_for_sqlstate(c.sqlstate), c.expected) << c.sqlstate << " " << c.meaning;
  }
}

TEST(PgErrorKind, LibpqxxExceptions) {
  EXPECT_EQ(classify_database_error(pqxx::broken_connection("gone")), ErrorKind::retry);
  EXPECT_EQ(classify_database_error(pqxx::in_doubt_error("unknown outcome")), ErrorKind::retry);
  EXPECT_EQ(classify_database_error(pqxx::deadlock_detected("deadlock")), ErrorKind::retry);
  EXPECT_EQ(classify_database_error(pqxx::serialization_failure("conflict")), ErrorKind::retry);
  EXPECT_EQ(classify_database_error(pqxx::sql_error("timeout", "SELECT 1", "57014")),
            ErrorKind::retry);
  EXPECT_EQ(classify_database_error(pqxx::data_exception("bad", "COPY", "22P02")), ErrorKind::park);
  EXPECT_EQ(classify_database_error(pqxx::undefined_table("no table", "SELECT", "42P01")),
            ErrorKind::stop_process);
  EXPECT_EQ(classify_database_error(pqxx::usage_error("misuse")), ErrorKind::stop_process);
  // As libpqxx 6.4 throws it for "permission denied": no SQLSTATE (checked against a real
  // server in security_tests).
  EXPECT_EQ(classify_database_error(pqxx::insufficient_privilege("permission denied", "SELECT")),
            ErrorKind::stop_process);
  EXPECT_EQ(classify_database_error(pqxx::conversion_error("bad int")), ErrorKind::stop_process);
  EXPECT_EQ(classify_database_error(std::runtime_error("not a database error")),
            ErrorKind::stop_process);
}

}  // namespace
}  // namespace insights
