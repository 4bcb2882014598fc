#include "tests/support/running_sim.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>

#include "api/page_parser.hpp"
#include "sim/tls_identity.hpp"

namespace insights::testing {

RunningSim::RunningSim(sim::GeneratorOptions data, sim::SimServiceOptions service,
                       UtcSeconds start) {
  store_ = std::make_unique<sim::CallStore>(std::move(data));
  clock_ = std::make_unique<sim::SimClock>(start, 0.0);
  if (service.credentials.empty())
    service.credentials = {{kSimAccount, kSimToken, kSimAccount}};
  service_ = std::make_unique<sim::SimService>(*store_, *clock_, std::move(service));
  const auto identity = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
  static std::atomic<int> counter{0};
  ca_file_ = ::testing::TempDir() + "running-sim-ca-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++) + ".pem";
  sim::write_ca_file(identity, ca_file_);
  sim::ServerOptions options;
  options.tls = sim::make_server_tls_context(identity);
  server_ = std::make_unique<sim::HttpServer>(io_, options, *service_);
  server_->start();
  loop_ = std::thread([this] { io_.run(); });
  HttpClientOptions client;
  client.port = server_->port();
  client.tls = true;
  client.ca_file = ca_file_;
  client.verify_host = "127.0.0.1";
  admin_client_ = std::make_unique<HttpTestClient>(client);
}

RunningSim::~RunningSim() {
  admin_client_.reset();
  server_->stop();
  loop_.join();
}

unsigned short RunningSim::port() const {
  return server_->port();
}

std::string RunningSim::base_url() const {
  return "https://127.0.0.1:" + std::to_string(port());
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

std::map<std::string, CallSummaryRow> RunningSim::truth(UtcSeconds from, UtcSeconds to) {
  const HttpResult result =
      admin("GET", "/_sim/truth?StartTime=" + format_utc(from) + "&EndTime=" + format_utc(to) +
                       "&AccountSid=" + kSimAccount);
  if (result.status != 200)
    throw std::runtime_error("sim truth failed: " + result.error + " " + result.body);
  rapidjson::Document document;
  document.Parse(result.body.c_str(), result.body.size());
  if (document.HasParseError() || !document.HasMember("call_summaries"))
    throw std::runtime_error("sim truth: not JSON: " + result.body.substr(0, 200));
  std::map<std::string, CallSummaryRow> rows;
  for (const auto& item : document["call_summaries"].GetArray()) {
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    item.Accept(writer);
    Page page = parse_single_summary(std::string_view(text.GetString(), text.GetSize()));
    rows.emplace(page.rows.at(0).call_sid, std::move(page.rows.at(0)));
  }
  return rows;
}

}  // namespace insights::testing
