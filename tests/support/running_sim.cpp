#include "tests/support/running_sim.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "sim/tls_identity.hpp"

namespace insights::testing {

RunningSim::RunningSim(sim::GeneratorOptions data, sim::SimServiceOptions service, UtcSeconds start,
                       SimTransport transport)
    : tls_(transport.tls) {
  store_ = std::make_unique<sim::CallStore>(std::move(data));
  clock_ = std::make_unique<sim::SimClock>(start, 0.0);
  if (service.credentials.empty())
    service.credentials = {{kSimAccount, kSimToken, kSimAccount}};
  service_ = std::make_unique<sim::SimService>(*store_, *clock_, std::move(service));
  const auto identity = sim::make_tls_identity({"localhost"}, {"127.0.0.1"}, transport.validity);
  static std::atomic<int> counter{0};
  ca_file_ = ::testing::TempDir() + "running-sim-ca-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++) + ".pem";
  sim::write_ca_file(identity, ca_file_);
  sim::ServerOptions options;
  if (transport.tls)
    options.tls = sim::make_server_tls_context(identity);
  server_ = std::make_unique<sim::HttpServer>(io_, options, *service_);
  server_->start();
  loop_ = std::thread([this] { io_.run(); });
  HttpClientOptions client;
  client.port = server_->port();
  client.tls = transport.tls;
  client.ca_file = ca_file_;
  client.verify_host = "127.0.0.1";
  admin_client_ = std::make_unique<HttpTestClient>(client);
}

RunningSim::~RunningSim() {
  admin_client_.reset();
  stop_and_count_api_requests();
  std::error_code ignored;
  std::filesystem::remove(ca_file_, ignored);
}

unsigned short RunningSim::port() const {
  return server_->port();
}

std::string RunningSim::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

std::uint64_t RunningSim::stop_and_count_api_requests() {
  if (loop_.joinable()) {
    server_->stop();
    loop_.join();
  }
  return service_->stats().api_requests;
}

HttpResult RunningSim::admin(const std::string& method, const std::string& target) {
  HttpTestRequest request;
  request.method = method;
  request.target = target;
  return admin_client_->send(request);
}

void RunningSim::set_time(UtcSeconds time) {
  const HttpResult result = admin("POST", "/_sim/clock?set=" + format_utc(time));
  if (result.status != 200)
    throw std::runtime_error("sim clock set failed: " + result.error + " " + result.body);
}

SimStats RunningSim::stats() {
  const HttpResult result = admin("GET", "/_sim/stats");
  if (result.status != 200)
    throw std::runtime_error("insights-sim stats: HTTP " + std::to_string(result.status));
  return parse_sim_stats(result.body);
}

SummaryDigests RunningSim::truth(UtcSeconds from, UtcSeconds to) {
  const HttpResult result =
      admin("GET", "/_sim/truth?StartTime=" + format_utc(from) + "&EndTime=" + format_utc(to) +
                       "&AccountSid=" + kSimAccount);
  if (result.status != 200)
    throw std::runtime_error("sim truth failed: " + result.error + " " + result.body);
  SummaryDigests digests;
  add_truth_digests(result.body, digests);
  return digests;
}

}  // namespace insights::testing
