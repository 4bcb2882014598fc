// What each subcommand does once the command line is parsed.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <pqxx/except>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "daemon/cli.hpp"
#include "daemon/exit_codes.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
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

int migrate(const std::string& conninfo) {
  auto connection = open_connection(conninfo);
  const MigrationReport report = apply_migrations(*connection, embedded_migrations());
  if (report.applied.empty()) {
    spdlog::info("schema is current at version {}; nothing to do", report.version_after);
  } else {
    spdlog::info("schema migrated from version {} to {} ({} migration{})", report.version_before,
                 report.version_after, report.applied.size(),
                 report.applied.size() == 1 ? "" : "s");
  }
  return kExitOk;
}

int run_daemon(const std::string& conninfo) {
  auto connection = open_connection(conninfo);
  require_current_schema(*connection, embedded_migrations());
  spdlog::error(
      "the database is ready (schema version {}), but the sync engine is not part of this "
      "build yet; see README.md",
      embedded_migrations().back().version);
  return kExitNotImplemented;
}

// The file parsed; now check what only the environment can tell: every source's secret.
int check_config(const Command& command, const AppConfig& config) {
  std::vector<std::string> problems;
  for (const auto& source : config.sources) {
    try {
      load_source_secret(source);
    } catch (const ConfigError& error) {
      for (const auto& problem : error.problems()) {
        problems.push_back("source \"" + source.name + "\": " + problem);
      }
    }
  }
  if (!problems.empty()) {
    std::cerr << "insights-sync: "
              << ConfigError(command.config_path.value_or("configuration"), problems).what()
              << "\n";
    return kExitConfig;
  }
  spdlog::info("configuration is valid: {} source{}, database from {}", config.sources.size(),
               config.sources.size() == 1 ? "" : "s", database_origin(command, config));
  return kExitOk;
}

int exit_code_for(const SyncError& error) {
  if (dynamic_cast<const SchemaMismatchError*>(&error) != nullptr)
    return kExitSchemaMismatch;
  if (dynamic_cast<const DatabaseError*>(&error) != nullptr)
    return kExitDatabase;
  return kExitInternalError;
}

}  // namespace

int run_command(const Command& command) {
  AppConfig config;
  try {
    if (command.config_path)
      config = load_config_file(*command.config_path);
  } catch (const ConfigError& error) {
    std::cerr << "insights-sync: " << error.what() << "\n";
    return kExitConfig;
  }
  setup_logging(command.log_level.value_or(config.log.level));

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
        return check_config(command, config);
      case CommandName::migrate:
        return migrate(conninfo);
      case CommandName::run:
        return run_daemon(conninfo);
    }
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
