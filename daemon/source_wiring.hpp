#pragma once
// One source's pieces, wired the way the daemon wires them: the HTTPS client and the Call
// Summaries API over it (SourceApi), and the scheduler that reads windows through an API into a
// work queue (make_source_sync). SyncEngine uses both; so does the tests' sync harness, which
// may put a programmable API between the two.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/backoff.hpp"
#include "core/clock.hpp"
#include "core/source_config.hpp"
#include "core/sync_options.hpp"
#include "daemon/source_sync.hpp"

namespace insights {

class HttpClient;
class HttpSummariesApi;
class SyncMetrics;

// The source's HTTPS client (at most `concurrency` connections, its CA) and the API over it,
// authenticated with `secret`.
class SourceApi {
 public:
  SourceApi(boost::asio::any_io_executor executor, const SourceOptions& source,
            const std::string& secret);
  ~SourceApi();
  SourceApi(const SourceApi&) = delete;
  SourceApi& operator=(const SourceApi&) = delete;

  SummariesApi& api();
  // Closes idle connections, so the event loop can end.
  void close();

 private:
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<HttpSummariesApi> api_;
};

// What the scheduler of one source needs besides its source.
struct SchedulerWiring {
  SyncOptions sync;
  std::string owner;  // this instance's name
  const Clock* clock = nullptr;
  WorkQueue* work_queue = nullptr;
  BackoffPolicy backoff;
  std::optional<TimeWindow> only_within;  // `backfill --run`
  SyncMetrics* metrics = nullptr;         // nullptr: none
};

std::unique_ptr<SourceSync> make_source_sync(boost::asio::any_io_executor executor,
                                             const SourceOptions& source, SummariesApi& api,
                                             const SchedulerWiring& wiring);

}  // namespace insights
