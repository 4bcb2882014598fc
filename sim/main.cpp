// insights-sim entry point; everything else lives in the sim library (sim/sim_app.hpp).
#include "sim/sim_app.hpp"

int main(int argc, char** argv) {
  return insights::sim::run_sim(argc, argv);
}
