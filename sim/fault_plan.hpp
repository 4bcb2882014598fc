#pragma once
// Which faults insights-sim injects into API responses, and the dice that decide each one.
// Rates are probabilities per request in [0, 1]; draws come from a seeded generator, so a run
// with the same seed and request sequence injects the same faults.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace insights::sim {

struct FaultOptions {
  int concurrency_cap = 0;            // API requests in flight per account; 0 = unlimited
  double retry_after_fraction = 0.5;  // share of 429s that carry Retry-After
  int retry_after_seconds = 1;
  double server_error_rate = 0;  // 500/503 with Twilio code 20500
  int latency_ms = 0;            // added to every API request (held while counted in flight)
  int latency_jitter_ms = 0;     // plus uniform [0, jitter]
  double spike_rate = 0;         // share of API requests delayed by a latency spike ...
  int spike_ms = 0;              // ... of this much more (held while counted in flight)
  double reset_rate = 0;         // connection reset mid-body
  double truncate_rate = 0;      // body cut short (Content-Length not met)
  double malformed_rate = 0;     // 200 with a body that is not valid JSON
};

// Parses "key=value" settings as used by the admin endpoint and the --fault flag
// (keys: the FaultOptions field names). Returns the problems found; applies the valid ones.
std::vector<std::string> apply_fault_settings(FaultOptions& options, const std::string& settings);

// The JSON form of the options (GET /_sim/faults).
std::string fault_options_json(const FaultOptions& options);

// A seeded source of fault decisions.
class FaultDice {
 public:
  explicit FaultDice(std::uint64_t seed) : state_(seed) {}
  bool roll(double probability);   // true with that probability
  int uniform(int low, int high);  // inclusive
 private:
  std::uint64_t next();
  std::uint64_t state_;
};

}  // namespace insights::sim
