#pragma once
// One reading of insights-sim's /_sim/stats, for the sim as a child process (SimProcess) and
// in process (RunningSim) alike.

#include <map>
#include <string>

namespace insights::testing {

// Its top-level counters by name ("api_requests", "pages", "resets", …) and the API responses
// sent by HTTP status.
struct SimStats {
  std::map<std::string, long long> counters;
  std::map<int, long long> statuses;
  long long counter(const std::string& name) const;  // throws when the sim has no such counter
};

// Parses the body of GET /_sim/stats; throws std::runtime_error on anything else.
SimStats parse_sim_stats(const std::string& body);

}  // namespace insights::testing
