// What each subcommand does once the command line is parsed.
#include "daemon/commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <pqxx/errorhandler>
#include <pqxx/except>
#include <string_view>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/exit_codes.hpp"
#include "core/logging.hpp"
#include "daemon/backfill_command.hpp"
#include "daemon/command_support.hpp"
#include "daemon/config_check.hpp"
#include "daemon/status_report.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
#include "sink/pg_error_kind.hpp"

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
        ErrorKind::stop_process,
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

}  // namespace

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
    return error.exit_code();
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
