// insights-sync entry point; everything else lives in the libraries (daemon/cli.hpp).
#include "daemon/cli.hpp"

int main(int argc, char** argv) {
  return insights::run_command_line(argc, argv);
}
