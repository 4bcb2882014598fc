#include "tests/support/daemon_activity.hpp"

#include <algorithm>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <thread>

namespace insights::testing {

const char* describe(DaemonMoment moment) {
  switch (moment) {
    case DaemonMoment::no_transaction:
      return "outside any transaction";
    case DaemonMoment::between_statements:
      return "inside a transaction, between statements";
    case DaemonMoment::other_statement:
      return "during another statement";
    case DaemonMoment::copy:
      return "mid-COPY";
    case DaemonMoment::merge:
      return "mid-merge";
    case DaemonMoment::commit:
      return "mid-COMMIT";
  }
  return "?";
}

DaemonActivity::DaemonActivity(const std::string& conninfo)
    : connection_(std::make_unique<pqxx::connection>(conninfo)) {}

DaemonMoment DaemonActivity::now() {
  // The merge is the one statement starting "WITH page AS" (sink/merge_statement.cpp); libpqxx
  // commits with the statement "COMMIT".
  pqxx::nontransaction tx(*connection_);
  const pqxx::result sessions = tx.exec(
      "SELECT CASE"
      " WHEN state = 'active' AND query = 'COMMIT' THEN 5"
      " WHEN state = 'active' AND query LIKE 'WITH page AS%' THEN 4"
      " WHEN state = 'active' AND query LIKE 'COPY %' THEN 3"
      " WHEN state = 'active' THEN 2"
      " WHEN state LIKE 'idle in transaction%' THEN 1"
      " ELSE 0 END FROM pg_stat_activity"
      " WHERE datname = current_database() AND application_name = 'insights-sync'"
      " AND pid <> pg_backend_pid()");
  int furthest = 0;
  for (const auto& row : sessions)
    furthest = std::max(furthest, row[0].as<int>());
  return static_cast<DaemonMoment>(furthest);
}

int DaemonActivity::sessions() {
  pqxx::nontransaction tx(*connection_);
  return tx
      .exec1(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          " AND application_name = 'insights-sync' AND pid <> pg_backend_pid()")[0]
      .as<int>();
}

bool DaemonActivity::wait_until_sessions_end(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sessions() > 0) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace insights::testing
