// TLS fails closed, through the real insights-sync binary: an expired server certificate stops
// the source with exit 7 and says why, and a plain http:// api_url is a configuration error
// (exit 78, nothing sent) unless the source opts in with allow_insecure_http = true.
// (A certificate from another CA: daemon_process_tests; a name mismatch: api_tests.)
#include <gtest/gtest.h>

#include <pqxx/nontransaction>

#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/running_sim.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/text.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono_literals;

class TlsRefusalTest : public PgTest {
 protected:
  ChildResult insights_sync(const std::string& log, std::vector<std::string> arguments) {
    return run_child(INSIGHTS_SYNC_BINARY, std::move(arguments), dir + "/" + log,
                     {{kSyncConfigSecretEnv, kSimToken}}, 30s);
  }
  // A small data set, its clock frozen at the present, so the lookback finds calls.
  static std::unique_ptr<RunningSim> serve(SimTransport transport) {
    sim::GeneratorOptions data;
    data.seed = 11;
    data.calls_per_hour = 120;
    const UtcSeconds now =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return std::make_unique<RunningSim>(data, sim::SimServiceOptions{}, now, transport);
  }
  SyncConfig config_for(const RunningSim& api) const {
    SyncConfig config;
    config.database_url = db->conninfo();
    config.api_url = api.base_url();
    config.ca_file = api.ca_file();
    config.lookback_hours = 2;
    return config;
  }
  long long stored_rows() { return std::stoll(scalar("SELECT count(*) FROM call_summaries")); }

  TestDir test_dir{"tls-refusal"};
  const std::string& dir = test_dir.path();
};

TEST_F(TlsRefusalTest, AnExpiredCertificateStopsTheSourceWithTheReason) {
  const auto api = serve({.tls = true, .validity = sim::ServerCertificateValidity::expired});
  const std::string config = config_for(*api).write(dir + "/sync.toml");
  const auto started = std::chrono::steady_clock::now();
  const ChildResult result = insights_sync("sync.log", {"--config", config, "sync", "--once"});
  EXPECT_EQ(exit_code(result), kExitSourceRefused) << result.output;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "refused at once, not retried";
  EXPECT_TRUE(contains(result.output, "certificate verify failed: certificate has expired"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "source sim")) << result.output;
  EXPECT_EQ(stored_rows(), 0);
  EXPECT_EQ(api->stop_and_count_api_requests(), 0u) << "no request after the failed handshake";
}

TEST_F(TlsRefusalTest, PlainHttpIsAConfigErrorUnlessTheSourceOptsIn) {
  const auto api = serve({.tls = false, .validity = sim::ServerCertificateValidity::current});
  SyncConfig config = config_for(*api);
  config.ca_file.clear();
  const std::string refused = config.write(dir + "/refused.toml");
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"check-config"}, std::vector<std::string>{"sync", "--once"},
        std::vector<std::string>{"run"}}) {
    std::vector<std::string> arguments{"--config", refused};
    arguments.insert(arguments.end(), command.begin(), command.end());
    const ChildResult result = insights_sync(command.front() + ".log", arguments);
    EXPECT_EQ(exit_code(result), kExitConfig) << command.front() << ": " << result.output;
    EXPECT_TRUE(contains(result.output, "source \"sim\" (source[1]): api_url is plain http://"))
        << command.front() << ": " << result.output;
    EXPECT_TRUE(contains(result.output, "allow_insecure_http = true")) << result.output;
  }
  EXPECT_EQ(stored_rows(), 0);
  EXPECT_EQ(api->stop_and_count_api_requests(), 0u) << "refused before anything was sent";

  // The explicit opt-in (a local simulator): the same source now syncs over plain HTTP.
  const auto local_api = serve({.tls = false, .validity = sim::ServerCertificateValidity::current});
  config.api_url = local_api->base_url();
  config.source_lines = {"allow_insecure_http = true"};
  const std::string opted_in = config.write(dir + "/opted-in.toml");
  const ChildResult result =
      insights_sync("opted-in.log", {"--config", opted_in, "sync", "--once"});
  EXPECT_EQ(exit_code(result), kExitOk) << result.output;
  EXPECT_GT(stored_rows(), 0);
  EXPECT_GT(local_api->stop_and_count_api_requests(), 0u);
}

}  // namespace
}  // namespace insights::testing
