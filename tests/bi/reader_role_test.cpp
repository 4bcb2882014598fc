// The read-only BI role (schema/0004_bi_reader_role.sql) against a real PostgreSQL, as a BI tool
// uses it: a LOGIN user granted insights_reader connects and reads call_summaries, sources and
// the views in schema bi, and is refused everything else (the sync's internals, every write,
// creating objects). Then the migration itself in a cluster of its own, where the role does
// not exist yet: a migrating role without CREATEROLE stops with the statement a superuser must
// run, and two databases migrated at once both create-or-reuse the one cluster-wide role.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <set>
#include <string>
#include <vector>

#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/private_pg_cluster.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPermissionDenied = "42501";  // insufficient_privilege

// Roles belong to the whole cluster, which many test databases share: a name of this process
// and test alone.
std::string unique_role_name(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

constexpr const char* kSucceeded = "succeeded";

// The SQLSTATE `sql` fails with, or kSucceeded (one statement, autocommit).
std::string sqlstate_of(pqxx::connection& connection, const std::string& sql) {
  try {
    pqxx::nontransaction transaction(connection);
    transaction.exec(sql);
    return kSucceeded;
  } catch (const pqxx::insufficient_privilege&) {
    // libpqxx 6.4 throws this one without its SQLSTATE; the class is the code.
    return kPermissionDenied;
  } catch (const pqxx::sql_error& error) {
    return error.sqlstate().empty() ? std::string("no SQLSTATE: ") + error.what()
                                    : error.sqlstate();
  }
}

std::string scalar_on(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction transaction(connection);
  const auto row = transaction.exec1(sql);
  return row[0].is_null() ? std::string() : row[0].as<std::string>();
}

// A migrated database with one row in each table, and a LOGIN user granted insights_reader
// (as a DBA sets up Grafana) connected as `reader`.
class ReaderRoleTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    login = unique_role_name("bi_login");
    pqxx::work setup(*pg);
    setup.exec0("CREATE ROLE " + login + " LOGIN");
    setup.exec0("GRANT insights_reader TO " + login);
    setup.exec0("INSERT INTO sources (name) VALUES ('main')");
    setup.exec0(
        "INSERT INTO call_summaries (call_sid, source, content_hash, start_time, call_state)"
        " VALUES ('CA00000000000000000000000000000001', 'main', '\\x00', now(), 'completed')");
    setup.exec0(
        "INSERT INTO work_items (source, kind, window_start, window_end)"
        " VALUES ('main', 'live', '2026-11-01T00:00:00Z', '2026-11-01T01:00:00Z')");
    setup.exec0(
        "INSERT INTO backfills (source, range_start, range_end, requested_at, requested_by)"
        " VALUES ('main', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', now(), 'test')");
    setup.commit();
    // A later "user=" wins over the cluster's superuser in the connection string.
    reader = std::make_unique<pqxx::connection>(db->conninfo() + " user=" + login);
  }

  void TearDown() override {
    reader.reset();
    PgTest::TearDown();
    try {
      pqxx::connection admin(std::string(std::getenv("INSIGHTS_TEST_PG")) + " dbname=postgres");
      pqxx::nontransaction(admin).exec0("DROP ROLE IF EXISTS " + login);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "could not drop role " << login << ": " << error.what();
    }
  }

  std::string login;
  std::unique_ptr<pqxx::connection> reader;
};

TEST_F(ReaderRoleTest, ReadsSummariesAndSources) {
  EXPECT_EQ(scalar_on(*reader, "SELECT current_user"), login);
  EXPECT_EQ(scalar_on(*reader, "SELECT count(*) FROM call_summaries"), "1");
  EXPECT_EQ(scalar_on(*reader, "SELECT call_state FROM call_summaries"), "completed");
  EXPECT_EQ(scalar_on(*reader, "SELECT name FROM sources"), "main");
}

TEST_F(ReaderRoleTest, CannotReadTheSyncInternals) {
  for (const char* table : {"work_items", "backfills", "schema_migrations"}) {
    EXPECT_EQ(sqlstate_of(*reader, std::string("SELECT count(*) FROM ") + table), kPermissionDenied)
        << table;
  }
  // Not through PUBLIC either (which is how a role with no grant of its own would get in).
  for (const char* table : {"work_items", "backfills", "schema_migrations"}) {
    EXPECT_EQ(scalar(std::string("SELECT has_table_privilege('public', '") + table +
                     "', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"),
              "f")
        << table;
  }
}

TEST_F(ReaderRoleTest, CannotWriteAnything) {
  const std::vector<std::string> writes = {
      "INSERT INTO call_summaries (call_sid, source, content_hash) VALUES ('CAx', 'main', '')",
      "UPDATE call_summaries SET call_state = 'busy'",
      "DELETE FROM call_summaries",
      "TRUNCATE call_summaries",
      "INSERT INTO sources (name) VALUES ('other')",
      "UPDATE sources SET account_sid = 'ACx'",
      "DELETE FROM sources",
      "TRUNCATE sources",
      "UPDATE work_items SET state = 'parked'",
      "DELETE FROM schema_migrations",
      "SELECT nextval('work_items_id_seq')"};
  for (const auto& write : writes)
    EXPECT_EQ(sqlstate_of(*reader, write), kPermissionDenied) << write;
  // A refusal, not a silent no-op: the data is as it was.
  EXPECT_EQ(scalar("SELECT count(*) || ' ' || min(call_state) FROM call_summaries"), "1 completed");
  EXPECT_EQ(scalar("SELECT count(*) FROM sources"), "1");
  EXPECT_EQ(scalar("SELECT state FROM work_items"), "pending");
}

TEST_F(ReaderRoleTest, CannotCreateObjects) {
  for (const char* ddl :
       {"CREATE TABLE public.reader_table (id int)", "CREATE TABLE bi.reader_table (id int)",
        "CREATE VIEW bi.reader_view AS SELECT 1 AS one", "CREATE SCHEMA reader_schema",
        "CREATE FUNCTION public.reader_function() RETURNS int LANGUAGE sql AS 'SELECT 1'"}) {
    EXPECT_EQ(sqlstate_of(*reader, ddl), kPermissionDenied) << ddl;
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'reader_%'"), "0");
}

TEST_F(ReaderRoleTest, ReadsEveryViewInBiIncludingViewsMadeLater) {
  // Views a later migration makes in bi (as the migrating role) are readable without a grant
  // of their own (ALTER DEFAULT PRIVILEGES); views run with their owner's rights, so one over
  // work_items shows the reader aggregates of a table it cannot read itself.
  pqxx::work owner(*pg);
  owner.exec0("CREATE VIEW bi.reader_probe_calls AS SELECT count(*) AS calls FROM call_summaries");
  owner.exec0("CREATE VIEW bi.reader_probe_windows AS SELECT count(*) AS windows FROM work_items");
  owner.commit();
  EXPECT_EQ(scalar_on(*reader, "SELECT calls FROM bi.reader_probe_calls"), "1");
  EXPECT_EQ(scalar_on(*reader, "SELECT windows FROM bi.reader_probe_windows"), "1");
  EXPECT_EQ(sqlstate_of(*reader, "SELECT count(*) FROM work_items"), kPermissionDenied);

  // And every view the migrations themselves put in bi.
  pqxx::nontransaction list(*pg);
  const auto views = list.exec(
      "SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = 'bi'"
      " UNION ALL SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews"
      " WHERE schemaname = 'bi'");
  list.commit();
  EXPECT_GE(views.size(), 2u);
  for (const auto& view : views) {
    const std::string name = view[0].as<std::string>();
    EXPECT_EQ(sqlstate_of(*reader, "SELECT * FROM " + name + " LIMIT 1"), kSucceeded) << name;
  }
}

// What PostgreSQL itself says the role may do, for every relation there is: a table a later
// migration adds is not readable until it is granted on purpose.
TEST_F(ReaderRoleTest, PrivilegesAreExactlyTheDocumentedOnes) {
  pqxx::nontransaction transaction(*pg);
  const auto relations = transaction.exec(
      "SELECT n.nspname, c.relname,"
      "  has_table_privilege('insights_reader', c.oid, 'SELECT'),"
      "  has_table_privilege('insights_reader', c.oid,"
      "    'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
      " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      " WHERE n.nspname IN ('public', 'bi') AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
      " ORDER BY 1, 2");
  const std::set<std::string> readable_tables = {"call_summaries", "sources"};
  int checked = 0;
  for (const auto& row : relations) {
    const std::string schema = row[0].as<std::string>(), name = row[1].as<std::string>();
    const bool readable = schema == "bi" || readable_tables.contains(name);
    EXPECT_EQ(row[2].as<bool>(), readable) << schema << "." << name;
    EXPECT_FALSE(row[3].as<bool>()) << schema << "." << name << " is writable";
    ++checked;
  }
  EXPECT_GE(checked, 5);
  const auto schemas = transaction.exec1(
      "SELECT has_schema_privilege('insights_reader', 'bi', 'USAGE'),"
      " has_schema_privilege('insights_reader', 'bi', 'CREATE'),"
      " has_schema_privilege('insights_reader', 'public', 'CREATE'),"
      " has_database_privilege('insights_reader', current_database(), 'CREATE'),"
      " (SELECT rolcanlogin OR rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls"
      "  FROM pg_roles WHERE rolname = 'insights_reader')");
  EXPECT_TRUE(schemas[0].as<bool>()) << "USAGE on bi";
  EXPECT_FALSE(schemas[1].as<bool>()) << "CREATE on bi";
  EXPECT_FALSE(schemas[2].as<bool>()) << "CREATE on public";
  EXPECT_FALSE(schemas[3].as<bool>()) << "CREATE on the database";
  EXPECT_FALSE(schemas[4].as<bool>()) << "insights_reader has a role attribute beyond NOLOGIN";
}

// A database from before PostgreSQL 15 lets PUBLIC create in schema public, and so the reader:
// `insights-sync migrate` says how to close that, and changes nothing itself.
TEST(ReaderRoleMigration, MigrateWarnsWhenPublicMayCreateInSchemaPublic) {
  TestDatabase db;
  pqxx::connection owner(db.conninfo());
  pqxx::nontransaction(owner).exec0("GRANT CREATE ON SCHEMA public TO PUBLIC");
  const TestDir dir("bi-role-migrate");
  const ChildResult migrate =
      run_child(INSIGHTS_SYNC_BINARY, {"--database-url", db.conninfo(), "migrate"},
                dir.path() + "/migrate.log", {}, 60s);
  ASSERT_TRUE(migrate.exit && migrate.exit->exited) << migrate.output;
  EXPECT_EQ(migrate.exit->exit_code, 0) << migrate.output;
  EXPECT_NE(migrate.output.find("warn"), std::string::npos) << migrate.output;
  EXPECT_NE(migrate.output.find("REVOKE CREATE ON SCHEMA public FROM PUBLIC"), std::string::npos)
      << migrate.output;
  EXPECT_EQ(migrate.output.find("already exists, skipping"), std::string::npos) << migrate.output;
  EXPECT_EQ(scalar_on(owner, "SELECT has_schema_privilege('insights_reader', 'public', 'CREATE')"),
            "t");
}

// The branches that need the role to be absent, in a cluster of this test's own (the shared
// one has it from the first migrated database on).
TEST(ReaderRoleMigration, WithoutCreateRoleItStopsUntilASuperuserCreatesTheRole) {
  PrivatePgCluster cluster(::testing::TempDir() + "bi-role-pg-" + std::to_string(getpid()));
  pqxx::connection admin(cluster.conninfo("postgres"));
  pqxx::nontransaction(admin).exec0("CREATE ROLE warehouse_owner LOGIN NOCREATEROLE");
  pqxx::nontransaction(admin).exec0("CREATE DATABASE warehouse OWNER warehouse_owner");
  pqxx::nontransaction(admin).exec0("CREATE DATABASE second_warehouse");

  // The daemon's own role, owner of its database but without CREATEROLE: the whole migration
  // rolls back, and the message holds the statement to run.
  pqxx::connection minimal(cluster.conninfo("warehouse") + " user=warehouse_owner");
  try {
    apply_migrations(minimal, embedded_migrations());
    ADD_FAILURE() << "the migration passed without the role and without CREATEROLE";
  } catch (const pqxx::insufficient_privilege& error) {
    EXPECT_NE(std::string(error.what()).find("CREATE ROLE insights_reader NOLOGIN"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(current_schema_version(minimal), 0);
  EXPECT_EQ(scalar_on(admin, "SELECT count(*) FROM pg_roles WHERE rolname = 'insights_reader'"),
            "0");

  // Two migrations creating the role at once (the migration lock is per database): the second
  // waits for the first's CREATE ROLE, then reuses the role instead of failing.
  {
    pqxx::work first(admin);
    first.exec0("CREATE ROLE insights_reader NOLOGIN");
    auto second = std::async(std::launch::async, [&cluster] {
      pqxx::connection connection(cluster.conninfo("second_warehouse"));
      return apply_migrations(connection, embedded_migrations());
    });
    pqxx::connection observer(cluster.conninfo("postgres"));
    EXPECT_TRUE(eventually(
        [&] {
          return scalar_on(observer,
                           "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "'second_warehouse' AND wait_event_type = 'Lock'") == "1";
        },
        10s))
        << "the second migration never waited for the first CREATE ROLE";
    first.commit();
    ASSERT_EQ(second.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(second.get().version_after, embedded_migrations().back().version);
  }

  // With the role made by a superuser, the daemon's role completes the migration and grants.
  const MigrationReport report = apply_migrations(minimal, embedded_migrations());
  EXPECT_EQ(report.version_after, embedded_migrations().back().version);
  EXPECT_EQ(scalar_on(minimal,
                      "SELECT has_table_privilege('insights_reader', 'call_summaries', 'SELECT')"
                      " AND NOT has_table_privilege('insights_reader', 'work_items', 'SELECT')"),
            "t");
  EXPECT_EQ(scalar_on(admin, "SELECT count(*) FROM pg_roles WHERE rolname = 'insights_reader'"),
            "1");
}

}  // namespace
}  // namespace insights::testing
