// What each subcommand does once the command line is parsed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <pqxx/errorhandler>
#include <pqxx/except>
#include <string_view>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/source_label.hpp"
#include "daemon/backfill_command.hpp"
#include "daemon/cli.hpp"
#include "daemon/command_support.hpp"
#include "daemon/config_check.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/listen_endpoints.hpp"
#include "daemon/status_report.hpp"
#include "daemon/sync_engine.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/instance_claim.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
#include "sink/pg_error_kind.hpp"
#include "sink/pg_sink.hpp"

namespace insights {
namespace {

// Where the connection string came from, for messages (never the string itself: it may hold
// a password).
std::string database_origin(const Command& command, const AppConfig& config) {
  if (command.database_url)
    return "--database-url";
  if (config.database.url)
    return "the config file";
  if (std::getenv("DATABASE_URL") != nullptr)
    return "$DATABASE_URL";
  return "the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE, ...)";
}

LogFormat log_format(const std::string& name) {
  if (name == "text")
    return LogFormat::text;
  if (name == "journal")
    return LogFormat::journal;
  if (name == "json")
    return LogFormat::json;
  return LogFormat::automatic;
}

// A migration's RAISE WARNING is advice for the operator (schema/0004: a hand-made
// insights_reader with LOGIN, PUBLIC still creating in schema public); libpqxx drops notices
// nobody handles. NOTICEs ("... already exists, skipping") are not worth a line.
class MigrationWarnings final : public pqxx::errorhandler {
 public:
  using pqxx::errorhandler::errorhandler;
  bool operator()(const char message[]) noexcept override {
    std::string_view text(message);
    if (text.starts_with("WARNING:")) {
      text = text.substr(std::min(text.find_first_not_of(' ', 8), text.size()));
      while (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
      spdlog::warn("migrate: {}", text);
    }
    return true;
  }
};

// Applying migrations needs the database owner; a role that may not (the service's own) is told
// so in one line, instead of libpq's "permission denied for schema public".
MigrationReport apply_embedded_migrations(pqxx::connection& connection) {
  try {
    return apply_migrations(connection, embedded_migrations());
  } catch (const pqxx::insufficient_privilege& error) {
    throw DatabaseError(
        ErrorKind::fatal,
        "migrations are pending (this insights-sync knows schema version " +
            std::to_string(embedded_migrations().back().version) + ") and role " +
            connection.username() +
            " may not apply them: run `insights-sync migrate` as the database owner "
            "(docs/operations.md, \"Upgrading\"); the server said: " +
            describe_database_error(error));
  }
}

int migrate(const std::string& conninfo) {
  auto connection = open_connection(conninfo);
  const MigrationWarnings warnings(*connection);
  const MigrationReport report = apply_embedded_migrations(*connection);
  if (report.newer_and_compatible) {
    spdlog::info(
        "schema is at version {}, newer than this insights-sync knows ({}), through migrations "
        "that keep it running; nothing to do",
        report.version_after, embedded_migrations().back().version);
  } else if (report.applied.empty()) {
    spdlog::info("schema is current at version {}; nothing to do", report.version_after);
  } else {
    spdlog::info("schema migrated from version {} to {} ({} migration{})", report.version_before,
                 report.version_after, report.applied.size(),
                 report.applied.size() == 1 ? "" : "s");
  }
  return kExitOk;
}

int sync(const Command& command, const AppConfig& config, const std::string& conninfo,
         RunMode mode) {
  return exit_code_for(run_sync_engine(command, config, conninfo, mode), mode);
}

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

int status(const Command& command, const AppConfig& config, const std::string& conninfo) {
  auto connection = open_connection(conninfo);
  require_compatible_schema(*connection, embedded_migrations());
  const auto sources = read_status(*connection, SystemClock().now(), config.sync);
  if (command.json)
    print_status_json(std::cout, sources);
  else
    print_status_text(std::cout, sources);
  return kExitOk;
}

int exit_code_for(const SyncError& error) {
  if (dynamic_cast<const SchemaMismatchError*>(&error) != nullptr)
    return kExitSchemaMismatch;
  if (dynamic_cast<const InstanceNameTaken*>(&error) != nullptr ||
      dynamic_cast<const ListenError*>(&error) != nullptr) {
    return kExitInUse;
  }
  if (dynamic_cast<const DatabaseError*>(&error) != nullptr)
    return kExitDatabase;
  return kExitInternalError;
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

namespace {

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

int run_command(const Command& command) {
  AppConfig config;
  try {
    config = load_config(command.config_path, insights_environment());
  } catch (const ConfigError& error) {
    std::cerr << "insights-sync: " << error.what() << "\n";
    return kExitConfig;
  }
  setup_logging(command.log_level.value_or(config.log.level), log_format(config.log.format));

  const std::string conninfo =
      resolve_database_url(command.database_url, config, std::getenv("DATABASE_URL"));
  if (conninfo_has_password(conninfo)) {
    spdlog::warn(
        "the connection string from {} contains a password; prefer ~/.pgpass, "
        "PGPASSFILE or PGPASSWORD, which do not show up in process lists or files",
        database_origin(command, config));
  }

  try {
    switch (command.name) {
      case CommandName::check_config:
        return check_configuration(command, config, conninfo, database_origin(command, config),
                                   std::cout);
      case CommandName::migrate:
        return migrate(conninfo);
      case CommandName::run:
        return sync(command, config, conninfo, RunMode::forever);
      case CommandName::sync_once:
        return sync(command, config, conninfo, RunMode::once);
      case CommandName::status:
        return status(command, config, conninfo);
      case CommandName::backfill:
        return backfill(command, config, conninfo);
    }
  } catch (const ConfigError& error) {
    std::cerr << "insights-sync: " << error.what() << "\n";
    return kExitConfig;
  } catch (const SyncError& error) {
    spdlog::error("{}", error.what());
    return exit_code_for(error);
  } catch (const pqxx::failure& error) {
    // libpqxx errors outside the sink (e.g. a failing migration) carry the server's message.
    spdlog::error("database: {}", error.what());
    return kExitDatabase;
  } catch (const std::exception& error) {
    spdlog::critical("internal error: {}", error.what());
    return kExitInternalError;
  }
  return kExitInternalError;
}

}  // namespace insights
