#include "tests/support/scheduler_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <list>
#include <memory>

#include "daemon/source_wiring.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/sync_harness.hpp"

namespace insights::testing {

SchedulerHarness::SchedulerHarness(UtcSeconds start)
    : clock(start), options(test_sync_options(3)) {}

std::vector<SourceSyncReport> SchedulerHarness::sync_once_as(
    const std::vector<std::string>& owners) {
  boost::asio::io_context io;
  SourceOptions wired;
  wired.name = source;
  wired.account_sid = kSimAccount;
  wired.concurrency = concurrency;
  std::list<std::unique_ptr<SourceSync>> syncs;
  std::vector<SourceSyncReport> reports(owners.size());
  std::exception_ptr failure;
  for (std::size_t i = 0; i < owners.size(); ++i) {
    SourceSync& sync =
        *syncs.emplace_back(make_source_sync(io.get_executor(), wired, api,
                                             SchedulerWiring{.sync = options,
                                                             .owner = owners[i],
                                                             .clock = &clock,
                                                             .work_queue = &queue,
                                                             .backoff = backoff,
                                                             .only_within = only_within,
                                                             .metrics = nullptr}));
    boost::asio::co_spawn(
        io, sync.run(RunMode::once),
        [&reports, &failure, i](std::exception_ptr error, SourceSyncReport report) {
          if (error)
            failure = error;
          reports[i] = std::move(report);
        });
  }
  io.run();
  if (failure)
    std::rethrow_exception(failure);
  return reports;
}

}  // namespace insights::testing
