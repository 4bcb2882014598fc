#pragma once
// insights-sim running inside the test process on its own thread, over real TLS with its own
// CA, its clock frozen so the test moves time explicitly (set_time) in step with the daemon's
// FakeClock. The truth endpoint is read back as digests (tests/support/truth_comparison.hpp).

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/call_summary_row.hpp"
#include "sim/call_store.hpp"
#include "sim/http_server.hpp"
#include "sim/sim_clock.hpp"
#include "sim/sim_service.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_stats.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {

inline constexpr const char* kSimAccount = "AC00000000000000000000000000000001";
inline constexpr const char* kSimToken = "sim-test-token";

class RunningSim {
 public:
  RunningSim(sim::GeneratorOptions data, sim::SimServiceOptions service, UtcSeconds start);
  ~RunningSim();

  unsigned short port() const;
  std::string base_url() const;  // https://127.0.0.1:PORT
  const std::string& ca_file() const { return ca_file_; }

  void set_time(UtcSeconds time);  // POST /_sim/clock?set=...
  HttpResult admin(const std::string& method, const std::string& target);
  SimStats stats();  // GET /_sim/stats

  // Every summary of kSimAccount (the list's account, not its subaccounts) the sim shows now
  // for [from, to) of its time-filter field.
  SummaryDigests truth(UtcSeconds from, UtcSeconds to);

 private:
  boost::asio::io_context io_;
  std::unique_ptr<sim::CallStore> store_;
  std::unique_ptr<sim::SimClock> clock_;
  std::unique_ptr<sim::SimService> service_;
  std::unique_ptr<sim::HttpServer> server_;
  std::string ca_file_;
  std::thread loop_;
  std::unique_ptr<HttpTestClient> admin_client_;
};

}  // namespace insights::testing
