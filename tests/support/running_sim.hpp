#pragma once
// insights-sim running inside the test process on its own thread, over real TLS with its own
// CA (or, when a test asks, an expired certificate or plain HTTP), its clock frozen so the test
// moves time explicitly (set_time) in step with the daemon's FakeClock. The truth endpoint is
// read back as digests (tests/support/truth_comparison.hpp). Its sibling SimProcess runs the
// executable; both serve kSimAccount with kSimToken (tests/support/sim_credentials.hpp).

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/call_summary_row.hpp"
#include "sim/call_store.hpp"
#include "sim/http_server.hpp"
#include "sim/sim_clock.hpp"
#include "sim/sim_service.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/sim_stats.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {

// How RunningSim serves: HTTPS with a certificate of its own CA, or plain HTTP.
struct SimTransport {
  bool tls = true;
  sim::ServerCertificateValidity validity = sim::ServerCertificateValidity::current;
};

class RunningSim {
 public:
  RunningSim(sim::GeneratorOptions data, sim::SimServiceOptions service, UtcSeconds start,
             SimTransport transport = {});
  ~RunningSim();
  RunningSim(const RunningSim&) = delete;
  RunningSim& operator=(const RunningSim&) = delete;

  unsigned short port() const;
  std::string base_url() const;  // https://127.0.0.1:PORT (http:// without TLS)
  // Stops serving (idempotent) and returns how many API requests it answered.
  std::uint64_t stop_and_count_api_requests();
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
  bool tls_ = true;
  std::string ca_file_;
  std::thread loop_;
  std::unique_ptr<HttpTestClient> admin_client_;
};

}  // namespace insights::testing
