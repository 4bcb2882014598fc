#pragma once
// A one-source insights-sync config file, written the way an operator writes one: the one config
// writer of the tests that run the real binary. Fields are set one by one, or designated:
//
//   SyncConfig config;
//   config.database_url = db->conninfo();
//   config.api_url = sim.base_url();
//   config.source_lines = {"allow_insecure_http = true"};
//   const std::string path = config.write(dir + "/sync.toml");

#include <string>
#include <vector>

namespace insights::testing {

// The environment variable the configs name as secret_env (when secret_file is unset).
inline constexpr const char* kSyncConfigSecretEnv = "INSIGHTS_TEST_SECRET";

// A [sync] line for tests that need every window of the lookback read by one `sync --once`
// (the economical default leaves windows that ended less than 40 minutes ago for later) or a
// live tail read every few seconds (with poll_interval_seconds).
inline constexpr const char* kFreshSchedule = "schedule = \"fresh\"";

struct SyncConfig {
  std::string database_url;  // "" leaves [database] out
  std::string api_url;
  std::string ca_file;      // "" = system CAs
  std::string secret_file;  // "" = secret_env = kSyncConfigSecretEnv
  std::string source_name = "sim";
  std::string instance_name = "test-instance";  // "" leaves it out (then host:pid)
  std::string metrics_listen = "127.0.0.1:0";   // any free port: tests run daemons side by side
  int lookback_hours = 4;
  std::vector<std::string> sync_lines;    // extra `key = value` lines of [sync]
  std::vector<std::string> source_lines;  // extra lines of the [[source]] table, at its end
  std::string tail;                       // appended verbatim (e.g. "[log]\nformat = \"json\"")

  // Writes the file and returns `path`.
  std::string write(const std::string& path) const;
};

}  // namespace insights::testing
