#pragma once
// The configuration file (TOML) and where each setting comes from.
//
// The loader is strict: unknown tables and keys, wrong types and bad values are all reported
// together in one ConfigError, so a user fixes a file in one round instead of one error per
// restart. Every option has a default; an empty file is a valid config.

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_config.hpp"

namespace insights {

struct DatabaseOptions {
  // libpq connection string or URI ("host=... dbname=..." or "postgresql://..."). Unset means:
  // fall back to $DATABASE_URL, then to libpq's own environment (PGHOST, PGPORT, PGUSER, ...).
  // Put passwords in ~/.pgpass, PGPASSFILE or PGPASSWORD rather than here.
  std::optional<std::string> url;
};

struct LogOptions {
  std::string level = "info";  // trace | debug | info | warn | error | critical | off
};

struct AppConfig {
  DatabaseOptions database;
  LogOptions log;
  std::vector<SourceOptions> sources;  // [[source]] tables, in file order; names unique
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string origin, std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Parses TOML text; `origin` names the file in messages.
AppConfig parse_config(std::string_view toml_text, const std::string& origin);

// Reads and parses a config file; a missing or unreadable file is a ConfigError too.
AppConfig load_config_file(const std::filesystem::path& path);

// The connection string to use: the command line wins, then the config file, then the
// DATABASE_URL environment value (pass nullptr when unset). An empty result tells libpq to
// use its environment variables and defaults.
std::string resolve_database_url(const std::optional<std::string>& from_command_line,
                                 const AppConfig& config, const char* database_url_env);

}  // namespace insights
