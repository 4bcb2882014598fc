#pragma once
// The daemon's Prometheus metrics (prometheus-cpp for the types and the text format). Counters
// are bumped where things happen (SourceSync); gauges that describe the warehouse (work items,
// partial backlog, oldest unsettled window) are set from the database at each scrape.
//
// Threading: prometheus-cpp metrics are thread-safe; warehouse() and serialize() from one
// thread at a time (the event loop's).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "sink/pg_sink.hpp"
#include "sink/work_queue.hpp"

namespace insights {

class SyncMetrics {
 public:
  SyncMetrics(const std::string& version, const std::string& revision);

  void page_fetched(const std::string& source, std::size_t rows);
  void rows_written(const std::string& source, const CommitResult& result);
  // status 0: no HTTP answer (connection failed); code: Twilio's error code, 0 when none.
  void request(const std::string& source, int status, int code = 0);
  void retry(const std::string& source, std::chrono::milliseconds backoff);
  void concurrency(const std::string& source, int limit);
  // Seconds since the source's last committed page (from its first commit on).
  void committed(const std::string& source);
  void warehouse(const WarehouseCensus& census, UtcSeconds now);
  // Summaries deleted by [retention] (daemon/retention_schedule.hpp).
  void retention_deleted(long long rows);

  // Every metric in Prometheus text format 0.0.4.
  std::string serialize();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& pages_;
  prometheus::Family<prometheus::Counter>& rows_fetched_;
  prometheus::Family<prometheus::Counter>& rows_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& backoff_seconds_;
  prometheus::Family<prometheus::Gauge>& concurrency_;
  prometheus::Family<prometheus::Gauge>& since_commit_;
  prometheus::Family<prometheus::Gauge>& work_items_;
  prometheus::Family<prometheus::Gauge>& partial_rows_;
  prometheus::Family<prometheus::Gauge>& oldest_unsettled_;
  prometheus::Counter& retention_deleted_;
  std::set<prometheus::Gauge*> warehouse_gauges_;  // set from the census: reset each scrape
  std::map<std::string, std::chrono::steady_clock::time_point> last_commit_;
  std::mutex mutex_;  // last_commit_
};

}  // namespace insights
