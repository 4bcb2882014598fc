#pragma once
// A parsed command line: which subcommand, and its options (daemon/cli.cpp fills it in).

#include <optional>
#include <string>
#include <vector>

namespace insights {

enum class CommandName { migrate, run, sync_once, check_config, status, backfill };

struct Command {
  CommandName name = CommandName::run;
  std::optional<std::string> config_path;   // --config
  std::optional<std::string> database_url;  // --database-url
  std::optional<std::string> log_level;     // --log-level (overrides the config file)
  bool json = false;                        // status --json
  bool connect = false;                     // check-config --connect: the database and APIs too
  // backfill
  std::string from, to;              // --from, --to (TIME, see daemon/backfill_range.hpp)
  std::vector<std::string> sources;  // --source (repeatable); empty: every source
  bool wait = false;                 // --wait: follow progress until done
  bool run_here = false;             // --run: do the work in this process
};

}  // namespace insights
