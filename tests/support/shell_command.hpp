#pragma once
// Runs a shell command line to completion, for tests of what a user types (systemd-analyze,
// cpack, the insights-sync binary): its exit code and its output, stdout and stderr together.

#include <string>

namespace insights::testing {

struct CommandOutcome {
  int exit_code = -1;  // -1: it did not exit normally (or could not start)
  std::string output;  // stdout and stderr together
};

CommandOutcome run_shell(const std::string& command);

}  // namespace insights::testing
