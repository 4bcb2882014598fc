#pragma once
// `insights-sync backfill --from TIME --to TIME [--source NAME]… [--wait | --run]`: enqueue the
// range of each chosen source (sink/backfill_requests.hpp), then return, follow its progress,
// or do the work in this process.

#include <string>

#include "core/config.hpp"
#include "daemon/command.hpp"

namespace insights {

// Returns the exit code: 0 enqueued (or, with --wait/--run, every window read), 2 bad range or
// unknown source, 6 a window was parked (or still failing after --run's attempts), plus the
// codes every command shares (docs/operations.md, "Exit codes").
int backfill(const Command& command, const AppConfig& config, const std::string& conninfo);

}  // namespace insights
