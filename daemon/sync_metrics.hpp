#pragma once
// The daemon's Prometheus metrics (prometheus-cpp for the types and the text format, kept out
// of this header).
//
// Two kinds, so that a sum() over several instances on one database is right:
// - this instance's own work (counters, concurrency, seconds since its last commit, whether a
//   source was refused, readiness): every instance exports them; every series of a source
//   exists from the moment the source starts, at 0, so rate() and alerts never see "no data";
// - the warehouse (work items, partial rows, oldest unsettled window, lag, newest call): the
//   same for every instance, so exported by one of them only, the one holding the exporter lock
//   (sink/instance_claim.hpp; insights_warehouse_exporter says which). Set from the database at
//   each scrape.
//
// Threading: prometheus-cpp metrics are thread-safe; warehouse(), no_warehouse() and
// serialize() from one thread at a time (the event loop's).

#include <chrono>
#include <memory>
#include <string>

#include "sink/commit_result.hpp"
#include "sink/work_item_store.hpp"

namespace insights {

class SyncMetrics {
 public:
  SyncMetrics(const std::string& version, const std::string& revision);
  ~SyncMetrics();
  SyncMetrics(const SyncMetrics&) = delete;
  SyncMetrics& operator=(const SyncMetrics&) = delete;

  // Every per-source series, at 0; seconds since the last commit count from now.
  void source_started(const std::string& source, int concurrency);
  // The source is no longer configured (a SIGHUP removed it): its series go, so that an alert on
  // the time since its last commit does not fire for a source nobody syncs.
  void source_removed(const std::string& source);
  void page_fetched(const std::string& source, std::size_t rows);
  void rows_written(const std::string& source, const CommitResult& result);
  // status 0: no HTTP answer (connection failed); code: Twilio's error code, 0 when none.
  void request(const std::string& source, int status, int code = 0);
  void retry(const std::string& source, std::chrono::milliseconds backoff);
  void concurrency(const std::string& source, int limit);
  // Seconds since the source's last committed page (or since it started).
  void committed(const std::string& source);
  // The source stopped for good (credentials, permissions, certificate): 1 until it restarts.
  void refused(const std::string& source, bool refused);
  // The database answers, the schema is one this binary runs against, the name is ours.
  void ready(bool ready);
  // This instance exports the warehouse gauges: from the census, with `lag_promise` the lag
  // the schedule promises (daemon/window_planner.hpp).
  void warehouse(const WarehouseCensus& census, UtcSeconds now, std::chrono::seconds lag_promise);
  // Another instance exports them (or the database is away): none here.
  void no_warehouse();
  // Summaries deleted by [retention] (daemon/retention_schedule.hpp).
  void retention_deleted(long long rows);

  // Every metric in Prometheus text format 0.0.4.
  std::string serialize();

 private:
  struct Families;  // the prometheus-cpp registry and metric families (sync_metrics.cpp)
  std::unique_ptr<Families> families_;
};

}  // namespace insights
