#pragma once
// The insights-sim executable started by a test, as a user starts it: HTTPS on a free loopback
// port (read from --port-file), its generated CA written to a file, and its clock frozen at a
// start instant the test chooses, so the truth cannot change while the daemon under test reads.
// The admin endpoints are read through HttpTestClient; the truth comes back as each summary's
// content hash computed by the daemon's own parser, so comparing hashes with the stored
// `content_hash` compares every stored field.
//
//   SimProcess sim(dir, start, {"--calls-per-hour", "4000"});
//   config: api_url = sim.base_url(), ca_file = sim.ca_file()
//   const auto truth = sim.truth(start - hours(48), start);
//
// Ownership: owns the process (SIGTERM on destruction, SIGKILL if it does not stop).
// Errors: throws std::runtime_error when the sim does not come up or an admin call fails.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/utc_time.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/sim_stats.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {

class SimProcess {
 public:
  // Starts insights-sim in `dir` (port file, CA file and its log go there) with the clock frozen
  // at `start`, plus `arguments` (e.g. --calls-per-hour, --credential).
  SimProcess(const std::string& dir, UtcSeconds start, std::vector<std::string> arguments = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  unsigned short port() const { return port_; }
  std::string base_url() const;  // https://127.0.0.1:PORT
  const std::string& ca_file() const { return ca_file_; }
  UtcSeconds now() const { return start_; }  // the frozen sim clock

  // GET an admin endpoint (/_sim/...); throws unless the answer is 200.
  std::string admin_get(const std::string& target);
  // POST an admin endpoint (e.g. /_sim/faults?malformed_rate=0); throws unless 200.
  std::string admin_post(const std::string& target);
  // Every summary of kSimAccount (not its subaccounts) whose start_time is in
  // [from, to), by call_sid. Read an hour at a time to keep each response small.
  SummaryDigests truth(UtcSeconds from, UtcSeconds to);
  SimStats stats();  // one reading of /_sim/stats
  // How many API responses with this HTTP status the sim has sent (from /_sim/stats).
  long long responses_with_status(int status);
  // A top-level counter of /_sim/stats, e.g. "api_requests" or "pages".
  long long counter(const std::string& name);

 private:
  // Sends an admin request, once more when a reused keep-alive connection had been closed.
  HttpResult send_admin(const HttpTestRequest& request);
  // The body of an admin answer; throws unless it is a 200.
  static std::string checked(const std::string& target, const HttpResult& result);

  UtcSeconds start_;
  std::string ca_file_;
  unsigned short port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<HttpTestClient> admin_;
};

}  // namespace insights::testing
