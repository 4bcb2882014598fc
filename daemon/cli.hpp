#pragma once
// The command line of the insights-sync executable: parses arguments into a Command
// (daemon/command.hpp) and hands it to run_command (daemon/commands.hpp).

namespace insights {

// Parses argv and runs the command; returns the process exit code (core/exit_codes.hpp).
// Writes help, version and errors to stdout/stderr.
int run_command_line(int argc, char** argv);

}  // namespace insights
