#include "daemon/sync_engine.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <climits>
#include <list>

#include "core/listen_address.hpp"
#include "daemon/listen_endpoints.hpp"
#include "daemon/metrics_server.hpp"
#include "daemon/retention_schedule.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/source_wiring.hpp"
#include "daemon/sync_metrics.hpp"
#include "daemon/window_planner.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/instance_claim.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
#include "sink/pg_work_queue.hpp"

namespace insights {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::seconds kInstanceCheckEvery{10};

// The instance claim's blocking calls, as coroutines to run on its thread (GCC 12 rule 3: no
// capturing lambda as a coroutine).
asio::awaitable<int> check_instance(InstanceClaim& claim) {
  claim.check();
  co_return 0;
}
asio::awaitable<bool> exports_warehouse(InstanceClaim& claim) {
  co_return claim.exports_warehouse();
}

}  // namespace

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

// Everything one source needs, owned together (the scheduler borrows the API).
struct SourceRuntime {
  SourceOptions options;
  std::string secret;
  std::size_t report_index = 0;
  bool running = false;
  std::unique_ptr<SourceApi> api;
  std::unique_ptr<SourceSync> sync;
};

struct SyncEngine::Impl : EndpointHandler {
  explicit Impl(SyncEngineSetup setup_in)
      : setup(std::move(setup_in)),
        work_queue(setup.database, setup.commit_connections),
        claim(setup.database.conninfo, setup.owner),
        heartbeat(io),
        watch_timer(io),
        metrics(INSIGHTS_SYNC_VERSION, INSIGHTS_GIT_REVISION) {}

  SyncEngineSetup setup;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  RunMode mode = RunMode::once;
  asio::io_context io;
  PgWorkQueue work_queue;
  InstanceClaim claim;  // the instance name, held while run() runs
  // The claim's connection is used on this thread alone once the loop runs, so a check neither
  // blocks the loop nor waits behind the work queue.
  asio::thread_pool claim_thread{1};
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
  asio::steady_timer watch_timer;  // the periodic InstanceClaim::check
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
        co_await asio::co_spawn(claim_thread, check_instance(claim), asio::use_awaitable);
      } catch (const std::exception& error) {
        problem = error.what();
      }
      metrics.ready(problem.empty());
      co_return problem.empty()
          ? EndpointResponse{200, "text/plain; charset=utf-8", "ready\n"}
          : EndpointResponse{503, "text/plain; charset=utf-8", "not ready: " + problem + "\n"};
    }
    if (path == "/metrics") {
      try {
        const UtcSeconds now = clock->now();
        const UtcSeconds overdue_before = now - overdue_partial_after(setup.sync);
        const bool exporter =
            co_await asio::co_spawn(claim_thread, exports_warehouse(claim), asio::use_awaitable);
        if (exporter) {
          const WarehouseCensus census = co_await work_queue.census(overdue_before);
          metrics.warehouse(census, now, promised_lag(setup.sync));
        } else {
          metrics.no_warehouse();
        }
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

  // Before READY: a daemon that cannot be watched must not look healthy (ListenError, exit 5).
  void start_endpoint() {
    if (setup.metrics_listen.empty())
      return;
    const std::string setting = "metrics.listen \"" + setup.metrics_listen + "\": ";
    std::string problem;
    const std::optional<ListenAddress> address =
        parse_listen_address(setup.metrics_listen, problem);
    if (!address)
      throw ListenError(setting + problem);
    endpoint = std::make_unique<MetricsServer>(io.get_executor(), *this);
    try {
      for (const auto& bound : endpoint->start(listen_endpoints(*address))) {
        spdlog::info("metrics on http://{}/metrics (also /healthz, /readyz)",
                     describe_endpoint(bound));
      }
    } catch (const ListenError& error) {
      throw ListenError(setting + error.what());
    }
  }

  // Every 10 s while `run` runs: the name is still ours and the schema one we may run against.
  // Either lost stops the daemon (exit 5 or 4); a database that is away only waits.
  asio::awaitable<void> watch_instance() {
    // (Every source may end on its own, e.g. all refused: then the run is over too.)
    const auto over = [this] { return stopping || running == 0; };
    while (!over()) {
      watch_timer.expires_after(kInstanceCheckEvery);
      boost::system::error_code cancelled;
      co_await watch_timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
      if (cancelled || over())
        co_return;
      try {
        co_await asio::co_spawn(claim_thread, check_instance(claim), asio::use_awaitable);
        metrics.ready(true);
      } catch (const InstanceNameTaken&) {
        stop_for(std::current_exception());
        co_return;
      } catch (const SchemaMismatchError&) {
        stop_for(std::current_exception());
        co_return;
      } catch (const std::exception& error) {
        metrics.ready(false);
        spdlog::warn("instance check: {}", error.what());
      }
    }
  }

  void stop_for(std::exception_ptr reason) {
    try {
      std::rethrow_exception(reason);
    } catch (const std::exception& error) {
      spdlog::error("stopping: {}", error.what());
    }
    metrics.ready(false);
    report.stopped_by = reason;
    stop_all();
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

  void start_source(const SourceOptions& options, const std::string& secret) {
    SourceRuntime& runtime = sources.emplace_back();
    runtime.options = options;
    runtime.secret = secret;
    runtime.api = std::make_unique<SourceApi>(io.get_executor(), options, secret);
    runtime.sync = make_source_sync(io.get_executor(), options, runtime.api->api(),
                                    SchedulerWiring{.sync = setup.sync,
                                                    .owner = setup.owner,
                                                    .clock = clock,
                                                    .work_queue = &work_queue,
                                                    .backoff = setup.backoff,
                                                    .only_within = setup.only_within,
                                                    .metrics = &metrics});
    metrics.source_started(options.name, options.concurrency);
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
    if (result.fatal_error) {
      metrics.refused(runtime.options.name, true);
    } else if (!stopping && !runs(runtime.options.name, runtime)) {
      metrics.source_removed(runtime.options.name);  // a reload removed it
    }
    report.sources[runtime.report_index].second = std::move(result);
    runtime.running = false;
    runtime.api->close();
    if (--running == 0) {
      if (signals)
        signals->cancel();
      if (hangups)
        hangups->cancel();
      heartbeat.cancel();
      watch_timer.cancel();
      if (endpoint)
        endpoint->stop();
      if (retention)
        retention->stop();
    }
  }

  // Another runtime of this source name runs (a reload restarted a changed source).
  bool runs(const std::string& name, const SourceRuntime& other_than) const {
    return std::any_of(sources.begin(), sources.end(), [&](const SourceRuntime& source) {
      return &source != &other_than && source.running && source.options.name == name;
    });
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

  // Signals first: a SIGTERM that comes while the run starts (once the endpoint says where it
  // listens, say) stops it cleanly instead of killing the process.
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
  // Before any coroutine runs, the claim and the queue are used from this thread alone. The
  // name first: taking back its leases is only right when no other live process uses it.
  impl.claim.acquire();
  impl.is_service = mode == RunMode::forever;
  if (impl.is_service)
    impl.start_endpoint();
  if (const int released = impl.work_queue.release_leases_now(impl.setup.owner); released > 0) {
    spdlog::info("took back {} window lease{} of instance {} (a previous run of this instance)",
                 released, released == 1 ? "" : "s", impl.setup.owner);
  }
  for (std::size_t i = 0; i < impl.setup.sources.size(); ++i)
    impl.start_source(impl.setup.sources[i], impl.setup.secrets.at(i));

  if (impl.is_service) {
    // The database answered, its schema is one we run against (checked by the caller), the
    // instance name is ours and the endpoint listens.
    impl.metrics.ready(true);
    impl.notifier.ready(impl.describe_work());
    impl.beat();
    asio::co_spawn(impl.io, impl.watch_instance(), asio::detached);
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
