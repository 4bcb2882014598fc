#pragma once
// What several subcommands share (daemon/command_support.cpp): the sources' secrets,
// running a SyncEngine from the configuration, and turning its report into log lines and an
// exit code.

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/source_secret.hpp"
#include "daemon/command.hpp"
#include "daemon/sync_engine.hpp"

namespace insights {

// The secret of every source, in order; each problem and warning names its source by its label
// (core/source_label.hpp). Warnings (a secret file others can read) are logged; problems throw
// one ConfigError with every one of them (exit 78), as does a configuration without sources.
std::vector<SourceSecret> load_secrets(const Command& command, const AppConfig& config);

// The secrets' values alone, in the same order (what SyncEngineSetup takes).
std::vector<std::string> secret_values(std::vector<SourceSecret> secrets);

// This process's instance name (config, or host:pid).
std::string instance_name(const AppConfig& config);

// Runs the sync of config.sources (requires a current schema) and logs its report;
// `only_within`: no live tail, only windows overlapping that range (`backfill --run`).
SyncRunReport run_sync_engine(const Command& command, const AppConfig& config,
                              const std::string& conninfo, RunMode mode,
                              std::optional<TimeWindow> only_within = std::nullopt);

int exit_code_for(const SyncRunReport& report, RunMode mode);

}  // namespace insights
