#pragma once
// What insights-sync's PostgreSQL sessions are doing at this instant, as pg_stat_activity shows
// them: the crash loop uses it to kill the daemon in the middle of a COPY, a merge or a COMMIT,
// and to say where each of its kills landed; kill tests wait with it for a killed daemon's
// sessions to end before they read what it left.
//
//   DaemonActivity activity(db->conninfo());
//   if (activity.now() == DaemonMoment::copy) process.kill_now();
//
// The daemon names its sessions `application_name = 'insights-sync'` (sink/pg_connection.cpp);
// only sessions of this database count. Threading: one thread; owns its own connection.

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>

namespace insights::testing {

// The furthest a page has got, over all of the daemon's sessions: a COMMIT beats a merge beats
// a COPY beats any other statement beats a transaction waiting between statements.
enum class DaemonMoment {
  no_transaction,      // no session in a transaction: start-up, HTTP waits, backoff
  between_statements,  // a transaction open, the daemon busy elsewhere (e.g. encoding a page)
  other_statement,     // a claim, a lease renewal, a cursor update, a migration check
  copy,                // COPY of a page into the staging table
  merge,               // the statement that upserts the staged page into call_summaries
  commit,              // COMMIT of a transaction (a page's rows and cursor together)
};

const char* describe(DaemonMoment moment);

class DaemonActivity {
 public:
  explicit DaemonActivity(const std::string& conninfo);

  // One look at pg_stat_activity (a fraction of a millisecond).
  DaemonMoment now();
  // How many sessions the daemon has open. A killed daemon's sessions live on until the server
  // notices: one in the middle of a COMMIT finishes it first.
  int sessions();
  // Waits until the daemon has no session left; false if one is still there after `timeout`.
  bool wait_until_sessions_end(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace insights::testing
