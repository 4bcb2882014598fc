#pragma once
// Runs the sync of every configured source in this process: one event-loop thread for HTTP
// and scheduling, one PgWorkQueue (the database threads), one SourceSync per source.
//
//   SyncEngine engine(setup);
//   SyncRunReport report = engine.run(RunMode::once);
//
// Threading: run() blocks the calling thread until the work is done (`once`), or until
// request_stop() / SIGINT / SIGTERM (`forever`); request_stop() may be called from any thread.
// SIGHUP (with a `reload`): sources added, removed or changed in the configuration start or
// stop while the others go on.
// Errors: run() throws when it cannot start: DatabaseError (the database cannot be reached),
// InstanceNameTaken (another live process uses the instance name), ListenError (`run`'s endpoint
// cannot listen). Every later failure is reported in the result, never thrown.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/retention_options.hpp"
#include "core/source_config.hpp"
#include "core/sync_options.hpp"
#include "daemon/source_sync.hpp"
#include "sink/pg_sink_options.hpp"

namespace insights {

// What SIGHUP re-reads: the sources with their secrets (same order) and the [sync] options.
struct ReloadedConfig {
  std::vector<SourceOptions> sources;
  std::vector<std::string> secrets;
  SyncOptions sync;
};

struct SyncEngineSetup {
  PgSinkOptions database;      // conninfo (+ the test hook that fails commit steps)
  int commit_connections = 1;  // [database] commit_connections
  SyncOptions sync;
  std::vector<SourceOptions> sources;
  std::vector<std::string> secrets;  // one per source, same order (see load_source_secret)
  std::string owner;                 // instance name for leases
  const Clock* clock = nullptr;      // nullptr: the system clock
  bool handle_signals = false;       // SIGINT/SIGTERM stop the run (the daemon)
  BackoffPolicy backoff;
  // `backfill --run`: no live tail, only the windows overlapping this range.
  std::optional<TimeWindow> only_within;
  // With handle_signals: SIGHUP calls this for the configuration to switch to (nullopt: keep
  // the current one; the callee says why).
  std::function<std::optional<ReloadedConfig>()> reload;
  // `run`: the operators' endpoint (/metrics, /healthz, /readyz) on "address:port"; "" = off.
  std::string metrics_listen;
  // `run` (RunMode::forever) deletes old summaries at start and hourly when enabled.
  RetentionOptions retention;
};

struct SyncRunReport {
  std::vector<std::pair<std::string, SourceSyncReport>> sources;  // by source name
  // `run` stopped every source because the instance lost what it needs to go on: its name
  // (InstanceNameTaken) or a schema it may run against (SchemaMismatchError).
  std::exception_ptr stopped_by;

  bool any_fatal() const;
  bool all_fatal() const;
  bool any_parked_or_given_up() const;
};

class SyncEngine {
 public:
  explicit SyncEngine(SyncEngineSetup setup);
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  SyncRunReport run(RunMode mode);
  void request_stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The default instance name: "host:pid" ("insights-sync:pid" when the host name cannot be
// read), so two processes on one host never share leases by accident.
std::string default_instance_name();

}  // namespace insights
