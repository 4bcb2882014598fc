#pragma once
// insights-sim's HTTP server run on a thread of the test process, for TLS identities the sim
// executable does not offer (an expired certificate) and for plain HTTP on a free port. The
// data set is small (120 calls an hour) and its clock frozen at `now`.
//
//   InProcessSim sim({.tls = true, .validity = sim::ServerCertificateValidity::expired});
//   config: api_url = sim.base_url(), ca_file = sim.ca_file()
//   ... run insights-sync ...
//   EXPECT_EQ(sim.stop_and_count_api_requests(), 0u);
//
// Ownership: owns the server and its thread; the destructor stops both.
// Threading: the server runs on its own thread; call stop_and_count_api_requests() before
// reading anything the server touches (the sim service is single-threaded).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "sim/sim_service.hpp"
#include "sim/tls_identity.hpp"

namespace insights::testing {

// The account and token the in-process sim accepts.
inline constexpr const char* kInProcessSimAccount = "AC00000000000000000000000000000001";
inline constexpr const char* kInProcessSimToken = "in-process-sim-token";

struct InProcessSimSetup {
  bool tls = true;  // false: plain HTTP
  sim::ServerCertificateValidity validity = sim::ServerCertificateValidity::current;
};

class InProcessSim {
 public:
  // Starts serving at once; `dir` receives the CA file.
  InProcessSim(const std::string& dir, InProcessSimSetup setup);
  ~InProcessSim();
  InProcessSim(const InProcessSim&) = delete;
  InProcessSim& operator=(const InProcessSim&) = delete;

  std::string base_url() const;  // https://127.0.0.1:PORT or http://127.0.0.1:PORT
  const std::string& ca_file() const { return ca_file_; }
  // Stops the server (idempotent) and returns how many API requests it answered.
  std::uint64_t stop_and_count_api_requests();

 private:
  bool tls_;
  std::string ca_file_;
  boost::asio::io_context io_;
  std::unique_ptr<sim::CallStore> store_;
  std::unique_ptr<sim::SimClock> clock_;
  std::unique_ptr<sim::SimService> service_;
  std::unique_ptr<sim::HttpServer> server_;
  std::thread loop_;
};

}  // namespace insights::testing
