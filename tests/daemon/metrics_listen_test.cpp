// The operator endpoint through the real binary: every metrics.listen form check-config accepts
// is one `run` listens on; an address `run` cannot have stops it before it reports ready
// (exit 5), instead of syncing on unwatched; and of several instances on one database exactly
// one exports the warehouse gauges, so sum() over instances is right.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/metrics_endpoint.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// A TCP port this test holds on 127.0.0.1, listening, for as long as the object lives.
class BusyPort {
 public:
  BusyPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        listen(fd_, 1) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("cannot hold a port");
    }
    port_ = ntohs(address.sin_port);
  }
  ~BusyPort() { close(fd_); }
  unsigned short port() const { return port_; }

 private:
  int fd_;
  unsigned short port_ = 0;
};

class MetricsListenTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    sim = std::make_unique<SimProcess>(dir + "/sim", floor<seconds>(system_clock::now()),
                                       std::vector<std::string>{"--calls-per-hour", "300"});
  }
  std::string config(const std::string& name, const std::string& listen,
                     const std::string& instance) {
    SyncConfig config;
    config.database_url = db->conninfo();
    config.api_url = sim->base_url();
    config.ca_file = sim->ca_file();
    config.metrics_listen = listen;
    config.instance_name = instance;
    config.lookback_hours = 3;
    config.sync_lines = {kFreshSchedule, "poll_interval_seconds = 1"};
    return config.write(dir + "/" + name);
  }
  std::unique_ptr<ChildProcess> start(const std::string& config_path, const std::string& log) {
    return std::make_unique<ChildProcess>(
        INSIGHTS_SYNC_BINARY, std::vector<std::string>{"--config", config_path, "run"},
        dir + "/" + log, std::map<std::string, std::string>{{kSyncConfigSecretEnv, kSimToken}});
  }
  // The endpoints the daemon announced, once it has (empty if it ended first).
  std::vector<MetricsEndpoint> wait_for_endpoints(ChildProcess& daemon, std::size_t at_least) {
    std::vector<MetricsEndpoint> endpoints;
    eventually(
        [&] {
          endpoints = metrics_endpoints(daemon.output());
          return endpoints.size() >= at_least || !daemon.running();
        },
        30s);
    return endpoints;
  }
  static void stop(ChildProcess& daemon) {
    daemon.send(SIGTERM);
    const auto end = daemon.wait_for(30s);
    ASSERT_TRUE(end) << daemon.output();
    EXPECT_EQ(end->exit_code, kExitOk) << daemon.output();
  }

  TestDir test_dir{"metrics-listen"};
  const std::string& dir = test_dir.path();
  std::unique_ptr<SimProcess> sim;
};

// ":PORT" (and a port alone) is every interface: IPv4 and IPv6 clients both get an answer.
TEST_F(MetricsListenTest, APortAloneListensOnEveryInterface) {
  auto daemon = start(config("all.toml", ":0", "all"), "all.log");
  const auto endpoints = wait_for_endpoints(*daemon, 1);
  ASSERT_EQ(endpoints.size(), 1u) << daemon->output();
  EXPECT_EQ(endpoints[0].host, "::") << daemon->output();
  for (const char* loopback : {"127.0.0.1", "::1"}) {
    const HttpResult ready = get_from({loopback, endpoints[0].port}, "/readyz");
    EXPECT_EQ(ready.status, 200) << loopback << ": " << ready.error << ready.body;
  }
  stop(*daemon);
}

// A host name is resolved, and `run` listens on every address it resolves to.
TEST_F(MetricsListenTest, AHostNameListensOnItsAddresses) {
  auto daemon = start(config("name.toml", "localhost:0", "name"), "name.log");
  const auto endpoints = wait_for_endpoints(*daemon, 1);
  ASSERT_FALSE(endpoints.empty()) << daemon->output();
  for (const auto& endpoint : endpoints) {
    EXPECT_TRUE(endpoint.host == "127.0.0.1" || endpoint.host == "::1") << endpoint.host;
    EXPECT_EQ(get_from(endpoint, "/healthz").status, 200) << endpoint.host;
  }
  stop(*daemon);
}

TEST_F(MetricsListenTest, AnAddressInUseStopsRunBeforeItSyncsWithExitFive) {
  const BusyPort busy;
  const std::string listen = "127.0.0.1:" + std::to_string(busy.port());
  const ChildResult run =
      run_child(INSIGHTS_SYNC_BINARY, {"--config", config("busy.toml", listen, "busy"), "run"},
                dir + "/busy.log", {{kSyncConfigSecretEnv, kSimToken}}, 30s);
  EXPECT_EQ(exit_code(run), kExitInUse) << run.output;
  EXPECT_TRUE(contains(run.output, "cannot listen on " + listen + ": Address already in use"))
      << run.output;
  EXPECT_FALSE(contains(run.output, "live tail planned")) << "synced unwatched: " << run.output;
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items"), "0");
}

// check-config refuses exactly the forms `run` cannot bind, echoing the value.
TEST_F(MetricsListenTest, CheckConfigAcceptsTheFormsRunBindsAndRefusesTheOthers) {
  for (const char* listen :
       {"127.0.0.1:9464", "[::1]:9464", "[::]:9464", "localhost:9464", ":9464", "9464", ""}) {
    const ChildResult check = run_child(
        INSIGHTS_SYNC_BINARY, {"--config", config("ok.toml", listen, "x"), "check-config"},
        dir + "/check-ok.log", {{kSyncConfigSecretEnv, kSimToken}}, 30s);
    EXPECT_EQ(exit_code(check), kExitOk) << listen << "\n" << check.output;
    EXPECT_TRUE(contains(check.output, std::string(listen).empty()
                                           ? "metrics: off"
                                           : "metrics: `run` serves /metrics, /healthz and "
                                             "/readyz on "))
        << check.output;
  }
  // The form is right, but a name must resolve and an address must be this host's.
  for (const auto& [listen, why] :
       {std::pair<std::string, std::string>{"no-such-host.invalid:9464", "does not resolve"},
        {"192.0.2.1:9464",
         "cannot listen on 192.0.2.1 (Cannot assign requested address): is it "
         "an address of this host?"}}) {
    const ChildResult check = run_child(
        INSIGHTS_SYNC_BINARY, {"--config", config("unbindable.toml", listen, "x"), "check-config"},
        dir + "/check-unbindable.log", {{kSyncConfigSecretEnv, kSimToken}}, 30s);
    EXPECT_EQ(exit_code(check), kExitConfig) << listen << "\n" << check.output;
    EXPECT_TRUE(contains(check.output, "metrics.listen \"" + listen + "\": ")) << check.output;
    EXPECT_TRUE(contains(check.output, why)) << check.output;
  }
  for (const char* listen : {"*:9464", "::1:9464", "127.0.0.1", "localhost:http"}) {
    const ChildResult check = run_child(
        INSIGHTS_SYNC_BINARY, {"--config", config("bad.toml", listen, "x"), "check-config"},
        dir + "/check-bad.log", {{kSyncConfigSecretEnv, kSimToken}}, 30s);
    EXPECT_EQ(exit_code(check), kExitConfig) << listen << "\n" << check.output;
    EXPECT_TRUE(contains(check.output, std::string("metrics.listen \"") + listen + "\""))
        << check.output;
  }
}

// Database-wide gauges come from one instance only; when it stops, another takes over.
TEST_F(MetricsListenTest, OneInstanceExportsTheWarehouseGaugesAndAnotherTakesOver) {
  auto first = start(config("a.toml", "127.0.0.1:0", "instance-a"), "a.log");
  const auto a = wait_for_endpoints(*first, 1);
  ASSERT_FALSE(a.empty()) << first->output();
  auto second = start(config("b.toml", "127.0.0.1:0", "instance-b"), "b.log");
  const auto b = wait_for_endpoints(*second, 1);
  ASSERT_FALSE(b.empty()) << second->output();

  const auto exporters = [&] {
    int count = 0;
    for (const auto& endpoint : {a[0], b[0]}) {
      const std::string body = get_from(endpoint, "/metrics").body;
      const bool exports = contains(body, "insights_warehouse_exporter 1\n");
      EXPECT_EQ(exports, contains(body, "insights_work_items{")) << body;
      EXPECT_TRUE(contains(body, "insights_ready 1\n")) << body;
      count += exports ? 1 : 0;
    }
    return count;
  };
  EXPECT_EQ(exporters(), 1);
  EXPECT_EQ(exporters(), 1) << "the same one again";
  const bool a_exports =
      contains(get_from(a[0], "/metrics").body, "insights_warehouse_exporter 1\n");
  ChildProcess& exporter = a_exports ? *first : *second;
  const MetricsEndpoint other = a_exports ? b[0] : a[0];
  stop(exporter);
  EXPECT_TRUE(eventually(
      [&] { return contains(get_from(other, "/metrics").body, "insights_warehouse_exporter 1\n"); },
      10s));
  stop(a_exports ? *second : *first);
}

}  // namespace
}  // namespace insights::testing
