#include "tests/security/in_process_sim.hpp"

namespace insights::testing {

InProcessSim::InProcessSim(const std::string& dir, InProcessSimSetup setup)
    : tls_(setup.tls), ca_file_(dir + "/in-process-sim-ca.pem") {
  sim::GeneratorOptions data;
  data.seed = 11;
  data.calls_per_hour = 120;
  store_ = std::make_unique<sim::CallStore>(data);
  clock_ = std::make_unique<sim::SimClock>(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), 0.0);
  sim::SimServiceOptions options;
  options.credentials = {{kInProcessSimAccount, kInProcessSimToken, kInProcessSimAccount}};
  service_ = std::make_unique<sim::SimService>(*store_, *clock_, options);

  const auto identity = sim::make_tls_identity({"localhost"}, {"127.0.0.1"}, setup.validity);
  sim::write_ca_file(identity, ca_file_);
  sim::ServerOptions server_options;
  if (setup.tls)
    server_options.tls = sim::make_server_tls_context(identity);
  server_ = std::make_unique<sim::HttpServer>(io_, server_options, *service_);
  server_->start();
  loop_ = std::thread([this] { io_.run(); });
}

InProcessSim::~InProcessSim() {
  stop_and_count_api_requests();
}

std::string InProcessSim::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(server_->port());
}

std::uint64_t InProcessSim::stop_and_count_api_requests() {
  if (loop_.joinable()) {
    server_->stop();
    loop_.join();
  }
  return service_->stats().api_requests;
}

}  // namespace insights::testing
