#pragma once
// What each subcommand does once the command line is parsed: loads the configuration, sets up
// logging, runs the subcommand and turns what it threw into an exit code.

#include "daemon/command.hpp"

namespace insights {

// Returns the process exit code (core/exit_codes.hpp).
int run_command(const Command& command);

}  // namespace insights
