#include "tests/support/sim_process.hpp"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace insights::testing {
namespace {

// The whole port file once the sim has finished writing it ("PORT\n"), else "".
std::string complete_port_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  return !content.empty() && content.back() == '\n' ? content : std::string();
}

}  // namespace

SimProcess::SimProcess(const std::string& dir, UtcSeconds start, std::vector<std::string> arguments)
    : start_(start), ca_file_(dir + "/sim-ca.pem") {
  std::filesystem::create_directories(dir);
  const std::string port_file = dir + "/sim.port";
  std::filesystem::remove(port_file);
  std::vector<std::string> all{"--port",    "0",      "--port-file",  port_file,
                               "--ca-file", ca_file_, "--start-time", format_utc(start),
                               "--speed",   "0"};
  all.insert(all.end(), arguments.begin(), arguments.end());
  process_ = std::make_unique<ChildProcess>(INSIGHTS_SIM_BINARY, all, dir + "/sim.log");

  std::string port;
  const bool up = eventually(
      [&] {
        port = complete_port_file(port_file);
        return !port.empty() || !process_->running();
      },
      std::chrono::seconds(20));
  if (!up || port.empty())
    throw std::runtime_error("insights-sim did not start: " + process_->output());
  port_ = static_cast<unsigned short>(std::stoi(port));

  HttpClientOptions options;
  options.port = port_;
  options.tls = true;
  options.ca_file = ca_file_;
  options.verify_host = "127.0.0.1";
  options.timeout = std::chrono::seconds(30);
  admin_ = std::make_unique<HttpTestClient>(options);
  admin_get("/_sim/health");
}

SimProcess::~SimProcess() {
  admin_.reset();
  process_->send(SIGTERM);
  if (!process_->wait_for(std::chrono::seconds(10)))
    process_->kill_now();
}

std::string SimProcess::base_url() const {
  return "https://127.0.0.1:" + std::to_string(port_);
}

std::string SimProcess::admin_get(const std::string& target) {
  HttpTestRequest request;
  request.target = target;
  return checked(target, send_admin(request));
}

std::string SimProcess::admin_post(const std::string& target) {
  HttpTestRequest request;
  request.method = "POST";
  request.target = target;
  return checked(target, send_admin(request));
}

HttpResult SimProcess::send_admin(const HttpTestRequest& request) {
  HttpResult result = admin_->send(request);
  // The sim closes a keep-alive connection that sat idle for its idle timeout (60 s; a test
  // may go minutes between two admin calls). A request that met such a closed connection and
  // got not a byte back was never handled, so it goes once more on a new connection.
  if (!result.ok() && result.reused_connection && !result.got_partial_response)
    result = admin_->send(request);
  return result;
}

std::string SimProcess::checked(const std::string& target, const HttpResult& result) {
  if (!result.ok() || result.status != 200) {
    throw std::runtime_error("insights-sim " + target + ": " + result.error + " HTTP " +
                             std::to_string(result.status) + " " + result.body.substr(0, 200));
  }
  return result.body;
}

SummaryDigests SimProcess::truth(UtcSeconds from, UtcSeconds to) {
  SummaryDigests summaries;
  for (UtcSeconds chunk = from; chunk < to; chunk += std::chrono::hours(1)) {
    const UtcSeconds chunk_end = std::min(to, chunk + std::chrono::hours(1));
    const std::string body = admin_get("/_sim/truth?StartTime=" + format_utc(chunk) + "&EndTime=" +
                                       format_utc(chunk_end) + "&AccountSid=" + kSimAccount);
    add_truth_digests(body, summaries);
  }
  return summaries;
}

SimStats SimProcess::stats() {
  return parse_sim_stats(admin_get("/_sim/stats"));
}

long long SimProcess::responses_with_status(int status) {
  const SimStats now = stats();
  const auto found = now.statuses.find(status);
  return found == now.statuses.end() ? 0 : found->second;
}

long long SimProcess::counter(const std::string& name) {
  return stats().counter(name);
}

}  // namespace insights::testing
