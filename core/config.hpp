#pragma once
// The configuration file (TOML) and where each setting comes from.
//
// The loader is strict: unknown tables and keys, wrong types and bad values are all reported
// together in one ConfigError, so a user fixes a file in one round instead of one error per
// restart. Every option has a default; an empty file is a valid config.
//
// Environment overrides (for containers and systemd Environment=) replace single keys before
// validation, so they are checked exactly like the file:
//   INSIGHTS__<TABLE>__<KEY>                    e.g. INSIGHTS__SYNC__WINDOW_MINUTES=30
//   INSIGHTS__SOURCE__<NAME>__<KEY>             a key of the [[source]] named <NAME>
//   INSIGHTS__SOURCE__<NAME>__FILTERS__<KEY>    a key of that source's [source.filters]
// Names match case-insensitively ('-' in a source name matches '_'). A value is read as a TOML
// value when it parses as one (30, true, "text", ["a", "b"]), otherwise as a plain string. A
// problem caused by an override names the variable; no message repeats a value of
// INSIGHTS__DATABASE__URL (it may hold a password).

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/retention_options.hpp"
#include "core/source_config.hpp"
#include "core/sync_options.hpp"

namespace insights {

struct DatabaseOptions {
  // libpq connection string or URI ("host=... dbname=..." or "postgresql://..."). Unset means:
  // fall back to $DATABASE_URL, then to libpq's own environment (PGHOST, PGPORT, PGUSER, ...).
  // Put passwords in ~/.pgpass, PGPASSFILE or PGPASSWORD rather than here.
  std::optional<std::string> url;
  // Connections that commit pages, each on its own thread: PostgreSQL merges one page while
  // the next is copied in. 1..16; the work queue uses one more.
  int commit_connections = 2;
};

struct LogOptions {
  std::string level = "info";   // trace | debug | info | warn | error | critical | off
  std::string format = "auto";  // auto | text | journal | json (core/logging.hpp)
};

// The daemon's endpoint for operators: GET /metrics (Prometheus), /healthz, /readyz.
struct MetricsOptions {
  std::string listen = "127.0.0.1:9464";  // "address:port"; "" turns the endpoint off
};

struct AppConfig {
  DatabaseOptions database;
  LogOptions log;
  MetricsOptions metrics;
  SyncOptions sync;                    // [sync]
  RetentionOptions retention;          // [retention]
  std::vector<SourceOptions> sources;  // [[source]] tables, in file order; names unique
};

// Every problem of a configuration at once; ends the process with exit code 78.
class ConfigError : public SyncError {
 public:
  ConfigError(std::string origin, std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Environment variables as (name, value) pairs, in any order.
using EnvironmentVariables = std::vector<std::pair<std::string, std::string>>;

// The process environment's INSIGHTS__* variables (reads `environ`; call it before starting
// threads that might change the environment).
EnvironmentVariables insights_environment();

// Parses TOML text; `origin` names the file in messages. Throws ConfigError with every problem.
AppConfig parse_config(std::string_view toml_text, const std::string& origin);

// Parses TOML text (may be empty), applies the INSIGHTS__* overrides among `overrides` (other
// names are ignored) and validates the result. Throws ConfigError with every problem.
AppConfig parse_config(std::string_view toml_text, const std::string& origin,
                       const EnvironmentVariables& overrides);

// Reads and parses a config file; a missing or unreadable file is a ConfigError too.
AppConfig load_config_file(const std::filesystem::path& path);

// Loads `file` when given (a missing or unreadable file is a ConfigError), else starts from an
// empty config; then applies `overrides` as parse_config does.
AppConfig load_config(const std::optional<std::filesystem::path>& file,
                      const EnvironmentVariables& overrides);

// The connection string to use: the command line wins, then the config file, then the
// DATABASE_URL environment value (pass nullptr when unset). An empty result tells libpq to
// use its environment variables and defaults.
std::string resolve_database_url(const std::optional<std::string>& from_command_line,
                                 const AppConfig& config, const char* database_url_env);

}  // namespace insights
