#pragma once
// A PostgreSQL cluster of one test's own, made and driven by tests/pg-cluster.sh, for tests
// that take the server away (the shared $INSIGHTS_TEST_PG cluster must stay up for the others).
// Unix socket only, so it never collides with other clusters; as root the server runs as the
// cluster owner (pg-cluster.sh handles that).
//
//   PrivatePgCluster cluster(::testing::TempDir() + "my-pg");
//   cluster.create_database("insights");
//   cluster.crash();     // pg_ctl stop -m immediate: connections die as in a server crash
//   cluster.restart();   // same directory, same port, same settings
//
// Ownership: the destructor stops the server and removes the directory, also after a failed
// assertion. Errors: every operation throws std::runtime_error with the script's output.

#include <string>

namespace insights::testing {

class PrivatePgCluster {
 public:
  // initdb + start in `dir` (which must not exist or be empty; keep it short: the socket path
  // must fit in 107 bytes).
  explicit PrivatePgCluster(std::string dir);
  ~PrivatePgCluster();
  PrivatePgCluster(const PrivatePgCluster&) = delete;
  PrivatePgCluster& operator=(const PrivatePgCluster&) = delete;

  // libpq connection string of database `dbname` on this cluster.
  std::string conninfo(const std::string& dbname) const;
  void create_database(const std::string& dbname);

  void crash();    // stop at once, no shutdown checkpoint (crash recovery at the next start)
  void restart();  // start again after crash() or stop()
  // A clean shutdown as an operator or a package upgrade does it (pg_ctl stop -m fast): every
  // session is terminated with "terminating connection due to administrator command".
  void stop();

 private:
  // Runs `commands` in bash after sourcing pg-cluster.sh and pointing it at this cluster;
  // returns stdout, throws with the output when the commands fail.
  std::string shell(const std::string& commands) const;

  std::string dir_;
  std::string port_;
};

}  // namespace insights::testing
