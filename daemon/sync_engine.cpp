#include "daemon/sync_engine.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <climits>
#include <list>

#include "api/basic_auth.hpp"
#include "api/http_client.hpp"
#include "api/http_summaries_api.hpp"
#include "daemon/metrics_server.hpp"
#include "daemon/retention_schedule.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/sync_metrics.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/async_pg_sink.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
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
  SourceOptions options;
  std::string secret;
  std::size_t report_index = 0;
  bool running = false;
  std::unique_ptr<HttpClient> client;
  std::unique_ptr<HttpSummariesApi> api;
  std::unique_ptr<SourceSync> sync;
};

struct SyncEngine::Impl : EndpointHandler {
  explicit Impl(SyncEngineSetup setup_in)
      : setup(std::move(setup_in)),
        sink(setup.database, setup.commit_connections),
        queue(setup.database.conninfo),
        heartbeat(io),
        metrics(INSIGHTS_SYNC_VERSION, INSIGHTS_GIT_REVISION) {}

  SyncEngineSetup setup;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  RunMode mode = RunMode::once;
  asio::io_context io;
  AsyncPgSink sink;
  WorkQueue queue;
  // A list: a reload adds sources while others run, and every runtime keeps its address.
  std::list<SourceRuntime> sources;
  SyncRunReport report;
  std::size_t running = 0;
  bool stopping = false;
  std::unique_ptr<asio::signal_set> signals;
  std::unique_ptr<asio::signal_set> hangups;
  // The daemon (`run`) reports to systemd; the heartbeat feeds its watchdog from this loop.
  bool is_service = false;
  ServiceNotifier notifier;
  asio::steady_timer heartbeat;
  SyncMetrics metrics;
  std::unique_ptr<MetricsServer> endpoint;
  std::unique_ptr<RetentionSchedule> retention;  // `run` with [retention] on

  // /metrics, /healthz (the loop answers), /readyz (the database answers, schema current).
  asio::awaitable<EndpointResponse> handle(std::string target) override {
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/healthz")
      co_return EndpointResponse{200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/readyz") {
      std::string problem;
      try {
        const std::string conninfo = setup.database.conninfo;
        co_await sink.run([&conninfo] {
          auto connection = open_connection(conninfo);
          require_current_schema(*connection, embedded_migrations());
          return 0;
        });
      } catch (const std::exception& error) {
        problem = error.what();
      }
      co_return problem.empty()
          ? EndpointResponse{200, "text/plain; charset=utf-8", "ready\n"}
          : EndpointResponse{503, "text/plain; charset=utf-8", "not ready: " + problem + "\n"};
    }
    if (path == "/metrics") {
      try {
        WarehouseCensus census = co_await sink.run([this] { return queue.census(); });
        metrics.warehouse(census, clock->now());
      } catch (const std::exception& error) {
        spdlog::debug("metrics: the warehouse figures are stale: {}", error.what());
      }
      for (const auto& source : sources) {
        if (source.running)
          metrics.concurrency(source.options.name, source.sync->concurrency_limit());
      }
      co_return EndpointResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                                 metrics.serialize()};
    }
    co_return EndpointResponse{404, "text/plain; charset=utf-8",
                               "not found; try /metrics, /healthz or /readyz\n"};
  }

  void start_endpoint() {
    if (setup.metrics_listen.empty())
      return;
    const std::size_t colon = setup.metrics_listen.rfind(':');
    const std::string address = setup.metrics_listen.substr(0, colon);
    const auto port =
        static_cast<unsigned short>(std::stoi(setup.metrics_listen.substr(colon + 1)));
    endpoint = std::make_unique<MetricsServer>(io.get_executor(), *this);
    try {
      const unsigned short bound = endpoint->start(address, port);
      spdlog::info("metrics on http://{}:{}/metrics (also /healthz, /readyz)", address, bound);
    } catch (const std::exception& error) {
      // Syncing matters more than being watched: go on without the endpoint.
      spdlog::error("metrics: cannot listen on {}: {}; running without /metrics",
                    setup.metrics_listen, error.what());
      endpoint.reset();
    }
  }

  void stop_all() {
    stopping = true;
    if (is_service)
      notifier.stopping();
    for (auto& source : sources) {
      if (source.running)
        source.sync->stop();
    }
  }

  std::string describe_work() const {
    std::size_t active = 0, in_flight = 0;
    for (const auto& source : sources) {
      if (!source.running)
        continue;
      ++active;
      in_flight += source.sync->windows_in_flight();
    }
    return "syncing " + std::to_string(active) + " source" + (active == 1 ? "" : "s") + " as " +
           setup.owner + "; " + std::to_string(in_flight) + " window" +
           (in_flight == 1 ? "" : "s") + " in flight";
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

  // (The source registers itself on the database thread: the queue's connection is that
  // thread's alone once the loop runs.)
  void start_source(const SourceOptions& options, const std::string& secret) {
    SourceRuntime& runtime = sources.emplace_back();
    runtime.options = options;
    runtime.secret = secret;
    runtime.client = std::make_unique<HttpClient>(
        io.get_executor(),
        HttpClientOptions{.base = parse_base_url(options.api_url),
                          .ca_file = options.ca_file.value_or(""),
                          .max_connections = static_cast<std::size_t>(options.concurrency)});
    runtime.api = std::make_unique<HttpSummariesApi>(
        *runtime.client, basic_authorization(options.username(), secret));
    runtime.sync = std::make_unique<SourceSync>(io.get_executor(),
                                                SourceSyncSetup{.source = options.name,
                                                                .account_sid = options.account_sid,
                                                                .filters = options.filters,
                                                                .concurrency = options.concurrency,
                                                                .options = setup.sync,
                                                                .owner = setup.owner,
                                                                .clock = clock,
                                                                .api = runtime.api.get(),
                                                                .sink = &sink,
                                                                .queue = &queue,
                                                                .backoff = setup.backoff,
                                                                .only_within = setup.only_within,
                                                                .metrics = &metrics});
    runtime.report_index = report.sources.size();
    report.sources.emplace_back(options.name, SourceSyncReport{});
    runtime.running = true;
    ++running;
    asio::co_spawn(io, runtime.sync->run(mode),
                   [this, &runtime](std::exception_ptr error, SourceSyncReport result) {
                     if (error) {
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         result.fatal_error = std::string("internal error: ") + e.what();
                       }
                     }
                     on_source_done(runtime, std::move(result));
                   });
  }

  void on_source_done(SourceRuntime& runtime, SourceSyncReport result) {
    report.sources[runtime.report_index].second = std::move(result);
    runtime.running = false;
    runtime.client->close();
    if (--running == 0) {
      if (signals)
        signals->cancel();
      if (hangups)
        hangups->cancel();
      heartbeat.cancel();
      if (endpoint)
        endpoint->stop();
      if (retention)
        retention->stop();
    }
  }

  // SIGHUP: the configuration file again. Sources that are gone stop (their pages in flight
  // commit, their leases are released); new ones start; changed ones (any option or secret,
  // or any [sync] option) stop and start again. A configuration that does not load changes
  // nothing.
  void reload() {
    if (!setup.reload || stopping)
      return;
    std::optional<ReloadedConfig> next = setup.reload();
    if (!next)
      return;  // the reload logged why
    const bool sync_changed = !(next->sync == setup.sync);
    setup.sync = next->sync;
    // Same options, same secret, same [sync]: the running sync stays as it is.
    const auto unchanged = [&](const SourceRuntime& source, std::size_t i) {
      return !sync_changed && next->sources[i] == source.options &&
             next->secrets[i] == source.secret;
    };
    const auto wanted = [&](const SourceRuntime& source) {
      for (std::size_t i = 0; i < next->sources.size(); ++i) {
        if (unchanged(source, i))
          return true;
      }
      return false;
    };
    int stopped = 0, started = 0;
    for (auto& source : sources) {
      if (source.running && !wanted(source)) {
        source.sync->stop();
        ++stopped;
      }
    }
    for (std::size_t i = 0; i < next->sources.size(); ++i) {
      const bool kept = std::any_of(sources.begin(), sources.end(), [&](const SourceRuntime& s) {
        return s.running && !s.sync->stopping() && unchanged(s, i);
      });
      if (!kept) {
        start_source(next->sources[i], next->secrets[i]);
        ++started;
      }
    }
    spdlog::info("SIGHUP: configuration reloaded; {} source{} stopped, {} started{}", stopped,
                 stopped == 1 ? "" : "s", started,
                 sync_changed ? " ([sync] changed: every source restarted)" : "");
    if (is_service)
      notifier.status(describe_work());
  }

  void wait_for_hangup() {
    hangups->async_wait([this](const boost::system::error_code& error, int) {
      if (error)
        return;  // the run ended
      reload();
      wait_for_hangup();
    });
  }
};

SyncEngine::SyncEngine(SyncEngineSetup setup) : impl_(std::make_unique<Impl>(std::move(setup))) {}
SyncEngine::~SyncEngine() = default;

void SyncEngine::request_stop() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->stop_all(); });
}

SyncRunReport SyncEngine::run(RunMode mode) {
  Impl& impl = *impl_;
  impl.clock = impl.setup.clock ? impl.setup.clock : &impl.system_clock;
  impl.mode = mode;
  impl.sources.clear();
  impl.report = {};
  impl.running = 0;
  impl.stopping = false;

  // Before any coroutine runs, the queue is used from this thread alone.
  if (const int released = impl.queue.release_leases(impl.setup.owner); released > 0) {
    spdlog::info("took back {} window lease{} of instance {} (a previous run of this instance)",
                 released, released == 1 ? "" : "s", impl.setup.owner);
  }
  for (std::size_t i = 0; i < impl.setup.sources.size(); ++i)
    impl.start_source(impl.setup.sources[i], impl.setup.secrets.at(i));

  if (impl.setup.handle_signals) {
    impl.signals = std::make_unique<asio::signal_set>(impl.io, SIGINT, SIGTERM);
    impl.signals->async_wait([&impl](const boost::system::error_code& error, int signal) {
      if (error)
        return;  // cancelled: the run ended on its own
      spdlog::info("signal {} received: finishing the pages in flight, then stopping", signal);
      impl.stop_all();
    });
    if (impl.setup.reload) {
      impl.hangups = std::make_unique<asio::signal_set>(impl.io, SIGHUP);
      impl.wait_for_hangup();
    }
  }
  impl.is_service = mode == RunMode::forever;
  if (impl.is_service) {
    // The database answered and (checked by the caller) its schema is current.
    impl.start_endpoint();
    impl.notifier.ready(impl.describe_work());
    impl.beat();
    if (impl.setup.retention.enabled()) {
      impl.retention =
          std::make_unique<RetentionSchedule>(impl.io.get_executor(), impl.setup.database.conninfo,
                                              impl.setup.retention, *impl.clock, &impl.metrics);
      impl.retention->start();
    }
  }
  impl.io.run();
  impl.io.restart();
  impl.signals.reset();
  impl.hangups.reset();
  impl.retention.reset();
  return impl.report;
}

}  // namespace insights
