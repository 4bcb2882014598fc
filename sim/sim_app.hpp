#pragma once
// The insights-sim program: command line → data set, clock, service, listeners; runs until
// SIGINT/SIGTERM.

namespace insights::sim {

// Returns the process exit code: 0 after a clean stop, 2 for a bad command line, 1 when the
// listeners cannot start.
int run_sim(int argc, char** argv);

}  // namespace insights::sim
