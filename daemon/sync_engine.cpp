#include "daemon/sync_engine.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <climits>

#include "api/basic_auth.hpp"
#include "api/http_client.hpp"
#include "api/http_summaries_api.hpp"
#include "daemon/service_notifier.hpp"
#include "sink/async_pg_sink.hpp"
#include "sink/work_queue.hpp"

namespace insights {
namespace asio = boost::asio;

bool SyncRunReport::any_fatal() const {
  for (const auto& [name, report] : sources) {
    if (report.fatal_error)
      return true;
  }
  return false;
}

bool SyncRunReport::all_fatal() const {
  for (const auto& [name, report] : sources) {
    if (!report.fatal_error)
      return false;
  }
  return !sources.empty();
}

bool SyncRunReport::any_parked_or_given_up() const {
  for (const auto& [name, report] : sources) {
    if (report.windows_parked > 0 || report.windows_given_up > 0)
      return true;
  }
  return false;
}

std::string default_instance_name() {
  char host[HOST_NAME_MAX + 1] = {};
  const std::string name =
      gethostname(host, sizeof host) == 0 && host[0] != '\0' ? host : "insights-sync";
  return name + ":" + std::to_string(getpid());
}

// Everything one source needs, owned together (the API borrows the client).
struct SourceRuntime {
  std::unique_ptr<HttpClient> client;
  std::unique_ptr<HttpSummariesApi> api;
  std::unique_ptr<SourceSync> sync;
};

struct SyncEngine::Impl {
  explicit Impl(SyncEngineSetup setup_in)
      : setup(std::move(setup_in)),
        sink(setup.database),
        queue(setup.database.conninfo),
        heartbeat(io) {}

  SyncEngineSetup setup;
  SystemClock system_clock;
  asio::io_context io;
  AsyncPgSink sink;
  WorkQueue queue;
  std::vector<SourceRuntime> sources;
  SyncRunReport report;
  std::size_t running = 0;
  std::unique_ptr<asio::signal_set> signals;
  // The daemon (`run`) reports to systemd; the heartbeat feeds its watchdog from this loop.
  bool is_service = false;
  ServiceNotifier notifier;
  asio::steady_timer heartbeat;

  void stop_all() {
    if (is_service)
      notifier.stopping();
    for (auto& source : sources)
      source.sync->stop();
  }

  std::string describe_work() const {
    std::size_t in_flight = 0;
    for (const auto& source : sources)
      in_flight += source.sync->windows_in_flight();
    return "syncing " + std::to_string(sources.size()) + " source" +
           (sources.size() == 1 ? "" : "s") + " as " + setup.owner + "; " +
           std::to_string(in_flight) + " window" + (in_flight == 1 ? "" : "s") + " in flight";
  }

  // Half the watchdog interval (systemd's advice), or every 30 s for STATUS alone.
  void beat() {
    const auto every = notifier.watchdog_interval()
                           ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                 *notifier.watchdog_interval() / 2)
                           : std::chrono::milliseconds(30'000);
    heartbeat.expires_after(every);
    heartbeat.async_wait([this](const boost::system::error_code& error) {
      if (error)
        return;  // the run ended
      notifier.watchdog();
      notifier.status(describe_work());
      beat();
    });
  }

  void on_source_done(std::size_t index, SourceSyncReport result) {
    report.sources[index].second = std::move(result);
    if (--running == 0) {
      for (auto& source : sources)
        source.client->close();
      if (signals)
        signals->cancel();
      heartbeat.cancel();
    }
  }
};

SyncEngine::SyncEngine(SyncEngineSetup setup) : impl_(std::make_unique<Impl>(std::move(setup))) {}
SyncEngine::~SyncEngine() = default;

void SyncEngine::request_stop() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->stop_all(); });
}

SyncRunReport SyncEngine::run(RunMode mode) {
  Impl& impl = *impl_;
  const Clock* clock = impl.setup.clock ? impl.setup.clock : &impl.system_clock;
  const std::string& owner = impl.setup.owner;

  // Before any coroutine runs, the queue is used from this thread alone.
  for (const auto& source : impl.setup.sources)
    impl.queue.register_source(source.name, source.account_sid);
  if (const int released = impl.queue.release_leases(owner); released > 0) {
    spdlog::info("took back {} window lease{} of instance {} (a previous run of this instance)",
                 released, released == 1 ? "" : "s", owner);
  }

  impl.sources.clear();
  impl.report = {};
  for (std::size_t i = 0; i < impl.setup.sources.size(); ++i) {
    const SourceOptions& options = impl.setup.sources[i];
    SourceRuntime runtime;
    runtime.client = std::make_unique<HttpClient>(
        impl.io.get_executor(),
        HttpClientOptions{.base = parse_base_url(options.api_url),
                          .ca_file = options.ca_file.value_or(""),
                          .max_connections = static_cast<std::size_t>(options.concurrency)});
    runtime.api = std::make_unique<HttpSummariesApi>(
        *runtime.client, basic_authorization(options.username(), impl.setup.secrets.at(i)));
    runtime.sync = std::make_unique<SourceSync>(
        impl.io.get_executor(), SourceSyncSetup{.source = options.name,
                                                .filters = options.filters,
                                                .concurrency = options.concurrency,
                                                .options = impl.setup.sync,
                                                .owner = owner,
                                                .clock = clock,
                                                .api = runtime.api.get(),
                                                .sink = &impl.sink,
                                                .queue = &impl.queue,
                                                .backoff = impl.setup.backoff,
                                                .only_within = impl.setup.only_within});
    impl.report.sources.emplace_back(options.name, SourceSyncReport{});
    impl.sources.push_back(std::move(runtime));
  }

  if (impl.setup.handle_signals) {
    impl.signals = std::make_unique<asio::signal_set>(impl.io, SIGINT, SIGTERM);
    impl.signals->async_wait([&impl](const boost::system::error_code& error, int signal) {
      if (error)
        return;  // cancelled: the run ended on its own
      spdlog::info("signal {} received: finishing the pages in flight, then stopping", signal);
      impl.stop_all();
    });
  }

  impl.is_service = mode == RunMode::forever;
  if (impl.is_service) {
    // The database answered and (checked by the caller) its schema is current.
    impl.notifier.ready(impl.describe_work());
    impl.beat();
  }
  impl.running = impl.sources.size();
  for (std::size_t i = 0; i < impl.sources.size(); ++i) {
    asio::co_spawn(impl.io, impl.sources[i].sync->run(mode),
                   [&impl, i](std::exception_ptr error, SourceSyncReport result) {
                     if (error) {
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         result.fatal_error = std::string("internal error: ") + e.what();
                       }
                     }
                     impl.on_source_done(i, std::move(result));
                   });
  }
  impl.io.run();
  impl.io.restart();
  impl.signals.reset();
  return impl.report;
}

}  // namespace insights
