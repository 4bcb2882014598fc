#include "tests/support/stepped_sync.hpp"

#include <boost/asio/co_spawn.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "api/basic_auth.hpp"
#include "api/http_client.hpp"
#include "api/http_summaries_api.hpp"
#include "daemon/source_sync.hpp"
#include "sink/pg_work_queue.hpp"

namespace insights::testing {

struct SteppedSync::Parts {
  Parts(RunningSim& running_sim, FakeClock& fake_clock, const std::string& conninfo,
        const SyncOptions& options)
      : sim(running_sim),
        clock(fake_clock),
        sync_options(options),
        client(io.get_executor(),
               insights::HttpClientOptions{.base = parse_base_url(sim.base_url()),
                                           .ca_file = sim.ca_file(),
                                           .max_connections = 4}),
        api(client, basic_authorization(kSimAccount, kSimToken)),
        work_queue(PgSinkOptions{.conninfo = conninfo, .before_step = {}}),
        sync(io.get_executor(), SourceSyncSetup{.source = "sim",
                                                .account_sid = kSimAccount,
                                                .filters = {},
                                                .concurrency = 4,
                                                .options = options,
                                                .owner = "stepped-sync",
                                                .clock = &clock,
                                                .api = &api,
                                                .work_queue = &work_queue,
                                                .backoff = {},
                                                .only_within = std::nullopt,
                                                .metrics = nullptr}) {}

  RunningSim& sim;
  FakeClock& clock;
  SyncOptions sync_options;
  boost::asio::io_context io;
  insights::HttpClient client;
  HttpSummariesApi api;
  PgWorkQueue work_queue;
  SourceSync sync;
};

SteppedSync::SteppedSync(RunningSim& sim, FakeClock& clock, const std::string& conninfo,
                         const SyncOptions& options)
    : parts_(std::make_unique<Parts>(sim, clock, conninfo, options)) {}

SteppedSync::~SteppedSync() = default;

long long SteppedSync::step(UtcSeconds now) {
  Parts& p = *parts_;
  p.clock.set(now);
  p.sim.set_time(now);
  SourceSyncReport report;
  bool done = false;
  std::exception_ptr error;
  boost::asio::co_spawn(p.io, p.sync.run(RunMode::once),
                        [&](std::exception_ptr failure, SourceSyncReport result) {
                          error = failure;
                          report = std::move(result);
                          done = true;
                        });
  // Until this pass is over; the client's kept-alive connections stay for the next one.
  p.io.restart();  // the previous step may have run out of work, which stops the context
  while (!done) {
    if (p.io.run_one() == 0)
      throw std::runtime_error("the sync stopped without finishing its pass");
  }
  if (error)
    std::rethrow_exception(error);
  if (report.fatal_error)
    throw std::runtime_error(*report.fatal_error);
  return report.windows_parked + report.windows_given_up;
}

UtcSeconds SteppedSync::next_event(pqxx::connection& db, UtcSeconds now) {
  UtcSeconds next = testing::next_event(db, now, parts_->sync_options.window_minutes);
  if (const auto edge = parts_->sync.next_edge_due())
    next = std::min(next, std::max(*edge, now + std::chrono::seconds(1)));
  return next;
}

std::optional<LiveEdgeTally> SteppedSync::edge_tally() const {
  return parts_->sync.edge_tally();
}

void SteppedSync::close() {
  parts_->client.close();
  parts_->io.restart();
  parts_->io.run();
}

UtcSeconds next_event(pqxx::connection& db, UtcSeconds now, int window_minutes) {
  pqxx::work query(db);
  const auto due = query.exec1(
      "SELECT coalesce(extract(epoch FROM min(next_due_at))::bigint, 0) FROM work_items"
      " WHERE state IN ('pending', 'open') OR (state = 'settled' AND NOT annotation_pass_done)");
  const long long window = window_minutes * 60LL;
  const long long current = now.time_since_epoch().count();
  long long next = (current / window + 1) * window;
  if (const long long at = due[0].as<long long>(); at > 0 && at < next)
    next = at;
  return UtcSeconds(std::chrono::seconds(std::max(next, current + 1)));
}

}  // namespace insights::testing
