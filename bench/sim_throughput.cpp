// How many summaries per second insights-sim serves from ONE core: pages of 1000 over
// keep-alive HTTPS, first the same page again and again (served from the page cache), then a
// walk through fresh pages (rendered for each request). The server's event loop is pinned to
// core 0 and the client to core 1, so the figure is the sim's, not the client's.
//
// Usage: sim_throughput [seconds per phase, default 5]
#include <pthread.h>
#include <rapidjson/document.h>
#include <sched.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "sim/call_store.hpp"
#include "sim/http_server.hpp"
#include "sim/sim_clock.hpp"
#include "sim/sim_service.hpp"
#include "sim/time_param.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/http_test_client.hpp"

namespace {

using namespace insights::sim;
using insights::testing::basic_auth;
using insights::testing::HttpClientOptions;
using insights::testing::HttpTestClient;

constexpr const char* kAccount = "AC00000000000000000000000000000001";
constexpr double kTargetPerSecond = 40000;

void pin_to_core(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core % static_cast<int>(std::thread::hardware_concurrency()), &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

std::string target_of(const std::string& url) {
  return url.substr(url.find('/', url.find("://") + 3));
}

struct Phase {
  long pages = 0;
  long summaries = 0;
  double seconds = 0;
  double per_second() const { return summaries / seconds; }
};

}  // namespace

int main(int argc, char** argv) {
  const double phase_seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  GeneratorOptions data;
  data.calls_per_hour = 4000;
  data.subaccounts_per_account = 0;
  CallStore store(data);
  const SimTime now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  SimClock clock(now, 0.0);  // frozen: the same URL is the same page
  SimServiceOptions options;
  options.credentials = {{kAccount, "bench", kAccount}};
  SimService service(store, clock, options);

  const auto identity = make_tls_identity({"localhost"}, {"127.0.0.1"});
  const std::string ca_file = "/tmp/insights-sim-bench-ca.pem";
  write_ca_file(identity, ca_file);
  boost::asio::io_context io;
  ServerOptions server_options;
  server_options.tls = make_server_tls_context(identity);
  HttpServer server(io, server_options, service);
  server.start();
  std::thread loop([&] {
    pin_to_core(0);
    io.run();
  });
  pin_to_core(1);

  HttpClientOptions client_options;
  client_options.port = server.port();
  client_options.tls = true;
  client_options.ca_file = ca_file;
  client_options.verify_host = "localhost";
  HttpTestClient client(client_options);
  const std::string auth = basic_auth(kAccount, "bench");
  const std::string first_page =
      "/v1/Voice/Summaries?StartTime=" + format_time(now - std::chrono::days(7)) +
      "&EndTime=" + format_time(now) + "&PageSize=1000";

  auto run = [&](bool walk) {
    Phase phase;
    std::string target = first_page;
    const auto start = std::chrono::steady_clock::now();
    while (phase.seconds < phase_seconds) {
      const auto result = client.get(target, auth);
      if (!result.ok() || result.status != 200) {
        std::fprintf(stderr, "request failed: %s %d\n", result.error.c_str(), result.status);
        std::exit(1);
      }
      rapidjson::Document page;
      page.Parse(result.body.c_str(), result.body.size());
      phase.summaries += page["call_summaries"].Size();
      ++phase.pages;
      if (walk) {
        const auto& next = page["meta"]["next_page_url"];
        target = next.IsNull() ? first_page : target_of(next.GetString());
      }
      phase.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return phase;
  };

  client.get(first_page, auth);  // warm the cache and the connection
  const Phase cached = run(false);
  const Phase fresh = run(true);
  server.stop();
  loop.join();

  std::printf("insights-sim throughput, server on 1 core, HTTPS keep-alive, PageSize=1000\n");
  std::printf("%-22s %8s %12s %14s %10s\n", "phase", "pages", "summaries", "summaries/s", "target");
  for (const auto& [name, phase] :
       {std::pair{"cached page", cached}, std::pair{"fresh pages", fresh}}) {
    std::printf("%-22s %8ld %12ld %14.0f %10s\n", name, phase.pages, phase.summaries,
                phase.per_second(), phase.per_second() >= kTargetPerSecond ? "met" : "NOT MET");
  }
  std::printf("ratio cached / 40000 target: %.2f\n", cached.per_second() / kTargetPerSecond);
  return cached.per_second() >= kTargetPerSecond ? 0 : 1;
}
