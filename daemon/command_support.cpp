// What several subcommands share: the sources' secrets, running a SyncEngine from the
// configuration (with its SIGHUP reload), and turning its report into log lines and an exit code.
#include "daemon/command_support.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <functional>
#include <utility>

#include "core/exit_codes.hpp"
#include "core/source_label.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"

namespace insights {
namespace {

void log_report(const SyncRunReport& report) {
  for (const auto& [name, source] : report.sources) {
    spdlog::info(
        "source {}: {} pass{} finished, {} window{} settled, {} rows inserted, {} updated, "
        "{} straggler{} fetched, {} parked, {} still failing",
        name, source.passes_finished, source.passes_finished == 1 ? "" : "es",
        source.windows_settled, source.windows_settled == 1 ? "" : "s", source.rows_inserted,
        source.rows_updated, source.stragglers_fetched, source.stragglers_fetched == 1 ? "" : "s",
        source.windows_parked, source.windows_given_up);
    if (source.fatal_error)
      spdlog::error("source {} stopped: {}", name, *source.fatal_error);
  }
}

// The daemon's SIGHUP: the configuration file and every source's secret again. What needs a
// restart ([database], instance_name) is reported and left as it is.
std::function<std::optional<ReloadedConfig>()> reloader(const Command& command,
                                                        const AppConfig& running, RunMode mode) {
  if (mode != RunMode::forever || !command.config_path)
    return nullptr;
  return [command, running]() -> std::optional<ReloadedConfig> {
    try {
      AppConfig next = load_config(command.config_path, insights_environment());
      std::vector<std::string> secrets = secret_values(load_secrets(command, next));
      if (next.database.url != running.database.url ||
          next.database.commit_connections != running.database.commit_connections ||
          next.sync.instance_name != running.sync.instance_name ||
          next.retention != running.retention) {
        spdlog::warn(
            "SIGHUP: [database], sync.instance_name and [retention] take effect only after a "
            "restart");
      }
      next.sync.instance_name = running.sync.instance_name;
      spdlog::default_logger()->set_level(
          spdlog::level::from_str(command.log_level.value_or(next.log.level)));
      return ReloadedConfig{
          .sources = std::move(next.sources), .secrets = std::move(secrets), .sync = next.sync};
    } catch (const ConfigError& error) {
      spdlog::error("SIGHUP: the configuration does not load, keeping the running one: {}",
                    error.what());
      return std::nullopt;
    }
  };
}

}  // namespace

std::vector<SourceSecret> load_secrets(const Command& command, const AppConfig& config) {
  std::vector<SourceSecret> secrets;
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < config.sources.size(); ++i) {
    const std::string label = source_label(i + 1, config.sources[i].name);
    try {
      secrets.push_back(load_source_secret(config.sources[i]));
      for (const auto& warning : secrets.back().warnings)
        spdlog::warn("{}: {}", label, warning);
    } catch (const ConfigError& error) {
      for (const auto& problem : error.problems())
        problems.push_back(label + ": " + problem);
    }
  }
  if (config.sources.empty())
    problems.push_back("no [[source]] is configured: there is nothing to sync");
  if (!problems.empty())
    throw ConfigError(command.config_path.value_or("configuration"), problems);
  return secrets;
}

std::vector<std::string> secret_values(std::vector<SourceSecret> secrets) {
  std::vector<std::string> values;
  for (auto& secret : secrets)
    values.push_back(std::move(secret.value));
  return values;
}

int exit_code_for(const SyncRunReport& report, RunMode mode) {
  for (const auto& [name, source] : report.sources) {
    if (source.database_unavailable)
      return kExitDatabase;
  }
  if (mode == RunMode::forever)
    return report.all_fatal() ? kExitSourceRefused : kExitOk;
  if (report.any_fatal())
    return kExitSourceRefused;
  return report.any_parked_or_given_up() ? kExitWorkFailed : kExitOk;
}

std::string instance_name(const AppConfig& config) {
  return config.sync.instance_name.value_or(default_instance_name());
}

SyncRunReport run_sync_engine(const Command& command, const AppConfig& config,
                              const std::string& conninfo, RunMode mode,
                              std::optional<TimeWindow> only_within) {
  std::vector<std::string> secrets = secret_values(load_secrets(command, config));
  {
    auto connection = open_connection(conninfo);
    require_compatible_schema(*connection, embedded_migrations());
  }
  const std::string owner = instance_name(config);
  spdlog::info("insights-sync {} as instance {}: {} source{}", INSIGHTS_SYNC_VERSION, owner,
               config.sources.size(), config.sources.size() == 1 ? "" : "s");
  SyncEngine engine(
      SyncEngineSetup{.database = {.conninfo = conninfo, .before_step = {}},
                      .commit_connections = config.database.commit_connections,
                      .sync = config.sync,
                      .sources = config.sources,
                      .secrets = std::move(secrets),
                      .owner = owner,
                      .clock = nullptr,
                      .handle_signals = true,
                      .backoff = {},
                      .only_within = only_within,
                      .reload = reloader(command, config, mode),
                      .metrics_listen = mode == RunMode::forever ? config.metrics.listen : "",
                      .retention = config.retention});
  const SyncRunReport report = engine.run(mode);
  log_report(report);
  if (report.stopped_by)
    std::rethrow_exception(report.stopped_by);
  return report;
}

}  // namespace insights
