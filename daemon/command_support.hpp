#pragma once
// What several subcommands share (defined in daemon/commands.cpp): the sources' secrets,
// running a SyncEngine from the configuration, and turning its report into log lines and an
// exit code.

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "daemon/cli.hpp"
#include "daemon/sync_engine.hpp"

namespace insights {

// The secret of every source, in order; ConfigError with every problem (exit 78).
std::vector<std::string> load_secrets(const Command& command, const AppConfig& config);

// This process's instance name (config, or host:pid).
std::string instance_name(const AppConfig& config);

// Runs the sync of config.sources (requires a current schema) and logs its report;
// `only_within`: no live tail, only windows overlapping that range (`backfill --run`).
SyncRunReport run_sync_engine(const Command& command, const AppConfig& config,
                              const std::string& conninfo, RunMode mode,
                              std::optional<TimeWindow> only_within = std::nullopt);

int exit_code_for(const SyncRunReport& report, RunMode mode);

}  // namespace insights
