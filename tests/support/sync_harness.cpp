#include "tests/support/sync_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon/source_wiring.hpp"
#include "sink/pg_work_queue.hpp"

namespace insights::testing {

SyncOptions test_sync_options(int lookback_hours) {
  SyncOptions options;
  options.window_minutes = 60;
  options.initial_lookback_hours = lookback_hours;
  options.settle_after_minutes = 300;
  // The fresh schedule: these tests step the clock through re-reads, partial → complete.
  options.schedule = LiveSchedule::fresh;
  options.instance_name = "test-instance";
  return options;
}

SyncHarnessOptions harness_for(const RunningSim& sim, const std::string& conninfo,
                               const Clock& clock, int lookback_hours) {
  SyncHarnessOptions options;
  options.database.conninfo = conninfo;
  options.base_url = sim.base_url();
  options.ca_file = sim.ca_file();
  options.user = kSimAccount;
  options.secret = kSimToken;
  options.sync = test_sync_options(lookback_hours);
  options.clock = &clock;
  return options;
}

SourceSyncReport sync_once(const SyncHarnessOptions& options) {
  SourceOptions source;
  source.name = options.source;
  source.account_sid = options.account_sid;
  source.api_key_sid =
      options.user == options.account_sid ? std::nullopt : std::optional<std::string>(options.user);
  source.api_url = options.base_url;
  source.ca_file = options.ca_file;
  source.concurrency = options.concurrency;
  source.filters = options.filters;
  boost::asio::io_context io;
  SourceApi real(io.get_executor(), source, options.secret);
  SummariesApi& api = options.wrap_api ? options.wrap_api(real.api()) : real.api();
  PgWorkQueue work_queue(options.database);
  work_queue.release_leases_now(options.owner);
  SystemClock system_clock;
  const std::unique_ptr<SourceSync> sync =
      make_source_sync(io.get_executor(), source, api,
                       SchedulerWiring{.sync = options.sync,
                                       .owner = options.owner,
                                       .clock = options.clock ? options.clock : &system_clock,
                                       .work_queue = &work_queue,
                                       .backoff = options.backoff,
                                       .only_within = options.only_within,
                                       .metrics = nullptr});
  SourceSyncReport report;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, sync->run(RunMode::once),
                        [&](std::exception_ptr error, SourceSyncReport result) {
                          failure = error;
                          report = std::move(result);
                          real.close();
                        });
  io.run();
  if (failure)
    std::rethrow_exception(failure);
  return report;
}

}  // namespace insights::testing
