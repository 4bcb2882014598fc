// HttpClient against the real insights-sim over real TLS: the sim's io_context runs on a
// background thread, the client's on the test thread.
#include "api/http_client.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <optional>
#include <thread>

#include "sim/sim_service.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;
using insights::testing::basic_auth;

constexpr const char* kAccount = testing::kSimAccount;
constexpr const char* kToken = "test-token";
using insights::testing::kTestNoon;
const std::string kPage =
    "/v1/Voice/Summaries?StartTime=2026-11-20T10:00:00Z"
    "&EndTime=2026-11-20T12:00:00Z&ProcessingState=all&PageSize=20";

struct SimSetup {
  std::vector<std::string> dns_names{"localhost"};
  std::vector<std::string> ip_addresses{"127.0.0.1"};
  std::chrono::seconds idle_timeout{60};
  bool tls = true;  // false: plain HTTP
  sim::ServerCertificateValidity validity = sim::ServerCertificateValidity::current;
};

// The outcome of one get(): the response or the transport error it threw.
struct Outcome {
  std::optional<HttpResponse> response;
  std::optional<HttpTransportError> error;
  steady_clock::time_point finished;
};

class HttpClientTest : public ::testing::Test {
 protected:
  ~HttpClientTest() override {
    if (server) {
      server->stop();
      loop.join();
    }
  }

  void start_sim(const SimSetup& setup = {}) {
    sim::GeneratorOptions data;
    data.seed = 7;
    data.calls_per_hour = 120;
    data.subaccounts_per_account = 1;
    store = std::make_unique<sim::CallStore>(data);
    clock = std::make_unique<sim::SimClock>(kTestNoon, 0.0);
    sim::SimServiceOptions options;
    options.credentials = {{kAccount, kToken, kAccount}};
    service = std::make_unique<sim::SimService>(*store, *clock, options);

    const auto identity =
        sim::make_tls_identity(setup.dns_names, setup.ip_addresses, setup.validity);
    ca_file = dir.path() + "/sim-ca.pem";
    sim::write_ca_file(identity, ca_file);
    sim::ServerOptions server_options;
    if (setup.tls) {
      server_options.tls = sim::make_server_tls_context(identity);
    }
    server_options.idle_timeout = setup.idle_timeout;
    server_tls = server_options.tls;
    server = std::make_unique<sim::HttpServer>(server_io, server_options, *service);
    server->start();
    loop = std::thread([this] { server_io.run(); });
  }

  // Changes the sim's faults through its admin endpoint (on the sim's own thread).
  void set_faults(const std::string& settings) {
    insights::testing::HttpTestClient admin(
        {.port = server->port(), .tls = true, .ca_file = ca_file, .verify_host = "localhost"});
    insights::testing::HttpTestRequest request;
    request.method = "POST";
    request.target = "/_sim/faults?" + settings;
    const auto result = admin.send(request);
    ASSERT_EQ(result.status, 200) << result.error << result.body;
  }

  // Server-side count of TLS handshakes started, i.e. of connections clients opened.
  long server_connections() const { return SSL_CTX_sess_accept(server_tls->native_handle()); }

  HttpClientOptions client_options(std::string host = "localhost") const {
    HttpClientOptions options;
    options.base = parse_base_url("https://" + host + ":" + std::to_string(server->port()));
    options.ca_file = ca_file;
    return options;
  }

  HttpClient& make_client(const HttpClientOptions& options) {
    client.emplace(io.get_executor(), options);
    return *client;
  }

  // Starts a get() on the test thread's io_context; the outcome lands in `outcome`.
  void spawn_get(HttpClient& http, Outcome& outcome, std::string target = kPage) {
    asio::co_spawn(io, http.get(std::move(target), basic_auth(kAccount, kToken)),
                   [&outcome](std::exception_ptr error, HttpResponse response) {
                     outcome.finished = steady_clock::now();
                     if (!error) {
                       outcome.response = std::move(response);
                       return;
                     }
                     try {
                       std::rethrow_exception(error);
                     } catch (const HttpTransportError& transport) {
                       outcome.error = transport;
                     }
                   });
  }

  Outcome get(HttpClient& http, std::string target = kPage) {
    Outcome outcome;
    spawn_get(http, outcome, std::move(target));
    io.restart();
    io.run();
    return outcome;
  }

  asio::io_context server_io;
  std::unique_ptr<sim::CallStore> store;
  std::unique_ptr<sim::SimClock> clock;
  std::unique_ptr<sim::SimService> service;
  std::unique_ptr<sim::HttpServer> server;
  std::shared_ptr<asio::ssl::context> server_tls;
  // Per test process, as ctest -j runs several side by side.
  testing::TestDir dir{"http-client"};
  std::string ca_file;
  std::thread loop;
  asio::io_context io;  // the client's, run on the test thread
  std::optional<HttpClient> client;
};

::testing::AssertionResult failed_with(const Outcome& outcome, TransportFailure failure,
                                       ErrorKind kind) {
  if (outcome.response) {
    return ::testing::AssertionFailure() << "got a response, status " << outcome.response->status;
  }
  if (!outcome.error) {
    return ::testing::AssertionFailure() << "neither a response nor an HttpTransportError";
  }
  const std::string message = outcome.error->what();
  if (outcome.error->failure() != failure || outcome.error->kind() != kind) {
    return ::testing::AssertionFailure()
           << "failure " << to_string(outcome.error->failure()) << ", kind "
           << to_string(outcome.error->kind()) << ": " << message;
  }
  if (message.find("Basic ") != std::string::npos || message.find(kToken) != std::string::npos) {
    return ::testing::AssertionFailure() << "the message leaks credentials: " << message;
  }
  return ::testing::AssertionSuccess() << message;
}

TEST_F(HttpClientTest, GetsAPageOverVerifiedHttps) {
  start_sim();
  HttpClient& http = make_client(client_options());
  const Outcome page = get(http);
  ASSERT_TRUE(page.response) << page.error->what();
  EXPECT_EQ(page.response->status, 200) << page.response->body.substr(0, 300);
  EXPECT_EQ(page.response->header("content-type"), "application/json");
  EXPECT_NE(page.response->body.find("\"call_summaries\""), std::string::npos);

  // Wrong credentials are a response, not a transport error.
  Outcome unauthorised;
  asio::co_spawn(io, http.get(kPage, basic_auth(kAccount, "wrong")),
                 [&](std::exception_ptr error, HttpResponse response) {
                   ASSERT_FALSE(error);
                   unauthorised.response = std::move(response);
                 });
  io.restart();
  io.run();
  ASSERT_TRUE(unauthorised.response);
  EXPECT_EQ(unauthorised.response->status, 401);
}

TEST_F(HttpClientTest, GetsAPageOverPlainHttpForLocalTesting) {
  start_sim({.tls = false});
  HttpClientOptions options;
  options.base = parse_base_url("http://127.0.0.1:" + std::to_string(server->port()));
  HttpClient& http = make_client(options);
  for (int i = 0; i < 2; ++i) {
    const Outcome page = get(http);
    ASSERT_TRUE(page.response) << page.error->what();
    EXPECT_EQ(page.response->status, 200);
    EXPECT_NE(page.response->body.find("\"next_page_url\":\"http://"), std::string::npos)
        << page.response->body.substr(0, 300);
  }
  EXPECT_EQ(http.stats().connections_opened, 1u);
}

TEST_F(HttpClientTest, ReusesAKeptAliveConnection) {
  start_sim();
  HttpClient& http = make_client(client_options());
  for (int i = 0; i < 5; ++i) {
    const Outcome page = get(http);
    ASSERT_TRUE(page.response) << page.error->what();
    EXPECT_EQ(page.response->status, 200);
  }
  EXPECT_EQ(server_connections(), 1);
  EXPECT_EQ(http.stats().connections_opened, 1u);
  EXPECT_EQ(http.stats().requests_sent, 5u);
}

TEST_F(HttpClientTest, KeepsAtMostMaxConnectionsInFlight) {
  start_sim();
  set_faults("latency_ms=200&concurrency_cap=2");
  const long admin_connections = server_connections();
  HttpClientOptions options = client_options();
  options.max_connections = 2;
  HttpClient& http = make_client(options);
  std::vector<Outcome> outcomes(6);
  const auto started = steady_clock::now();
  for (auto& outcome : outcomes) {
    spawn_get(http, outcome);
  }
  io.run();
  steady_clock::time_point last;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.response) << outcome.error->what();
    EXPECT_EQ(outcome.response->status, 200) << "the sim's cap of 2 was exceeded";
    last = std::max(last, outcome.finished);
  }
  const auto elapsed = duration_cast<milliseconds>(last - started);
  EXPECT_GE(elapsed, milliseconds(580)) << "three rounds of 200 ms";
  EXPECT_LT(elapsed, milliseconds(1500));
  EXPECT_LE(server_connections() - admin_connections, 2);
  EXPECT_EQ(http.stats().connections_opened, 2u);
  EXPECT_EQ(service->stats().rate_limited, 0u);
}

TEST_F(HttpClientTest, AnUntrustedCertificateIsFatal) {
  start_sim();
  const auto other_ca = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
  const std::string other_ca_file = dir.path() + "/other-ca.pem";
  sim::write_ca_file(other_ca, other_ca_file);
  HttpClientOptions options = client_options();
  options.ca_file = other_ca_file;
  HttpClient& http = make_client(options);
  const Outcome outcome = get(http);
  EXPECT_TRUE(failed_with(outcome, TransportFailure::certificate, ErrorKind::stop_source));
  const std::string message = outcome.error ? outcome.error->what() : "";
  EXPECT_NE(message.find("TLS handshake with localhost:"), std::string::npos) << message;
  EXPECT_NE(message.find("certificate verify failed"), std::string::npos) << message;
  EXPECT_NE(message.find("ca_file"), std::string::npos) << message;
}

TEST_F(HttpClientTest, ACertificateForAnotherNameIsFatal) {
  start_sim({.dns_names = {"sim.test"}, .ip_addresses = {}});
  HttpClient& http = make_client(client_options("127.0.0.1"));
  const Outcome outcome = get(http);
  EXPECT_TRUE(failed_with(outcome, TransportFailure::certificate, ErrorKind::stop_source));
  const std::string message = outcome.error ? outcome.error->what() : "";
  EXPECT_NE(message.find("the certificate does not name 127.0.0.1"), std::string::npos) << message;
}

TEST_F(HttpClientTest, AnExpiredCertificateIsFatal) {
  // Signed by the CA the client trusts, for the right name: only its dates are wrong.
  start_sim({.dns_names = {"localhost"},
             .ip_addresses = {"127.0.0.1"},
             .idle_timeout = std::chrono::seconds(60),
             .tls = true,
             .validity = sim::ServerCertificateValidity::expired});
  HttpClient& http = make_client(client_options());
  const Outcome outcome = get(http);
  EXPECT_TRUE(failed_with(outcome, TransportFailure::certificate, ErrorKind::stop_source));
  const std::string message = outcome.error ? outcome.error->what() : "";
  EXPECT_NE(message.find("certificate verify failed: certificate has expired"), std::string::npos)
      << message;
  EXPECT_EQ(service->stats().api_requests, 0u) << "no request after a failed verification";
}

TEST_F(HttpClientTest, ARefusedConnectionIsRetryable) {
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  const unsigned short closed_port = probe.local_endpoint().port();
  probe.close();  // nobody listens there now
  HttpClientOptions options;
  options.base = parse_base_url("http://127.0.0.1:" + std::to_string(closed_port));
  HttpClient& http = make_client(options);
  const Outcome outcome = get(http, "/");
  EXPECT_TRUE(failed_with(outcome, TransportFailure::connect, ErrorKind::retry));
  const std::string message = outcome.error ? outcome.error->what() : "";
  EXPECT_NE(message.find("connecting to 127.0.0.1:" + std::to_string(closed_port)),
            std::string::npos)
      << message;
}

TEST_F(HttpClientTest, ASlowResponseMissesTheReadDeadline) {
  start_sim();
  set_faults("latency_ms=2000");
  HttpClientOptions options = client_options();
  options.read_header_timeout = milliseconds(300);
  HttpClient& http = make_client(options);
  const auto started = steady_clock::now();
  const Outcome outcome = get(http);
  EXPECT_TRUE(failed_with(outcome, TransportFailure::timeout, ErrorKind::retry));
  EXPECT_LT(outcome.finished - started, milliseconds(1500));
  const std::string message = outcome.error ? outcome.error->what() : "";
  EXPECT_NE(message.find("reading the response header"), std::string::npos) << message;
}

TEST_F(HttpClientTest, AResetMidBodyIsRetryable) {
  start_sim();
  set_faults("reset_rate=1");
  HttpClient& http = make_client(client_options());
  EXPECT_TRUE(failed_with(get(http), TransportFailure::reset, ErrorKind::retry));
}

TEST_F(HttpClientTest, ATruncatedBodyIsClosedEarly) {
  start_sim();
  set_faults("truncate_rate=1");
  HttpClient& http = make_client(client_options());
  EXPECT_TRUE(failed_with(get(http), TransportFailure::closed_early, ErrorKind::retry));
}

TEST_F(HttpClientTest, ABodyOverTheCapParksTheWork) {
  start_sim();
  HttpClientOptions options = client_options();
  options.max_body_bytes = 1024;
  HttpClient& http = make_client(options);
  const Outcome outcome = get(http);
  EXPECT_TRUE(failed_with(outcome, TransportFailure::body_too_large, ErrorKind::park));
  const std::string message = outcome.error ? outcome.error->what() : "";
  EXPECT_NE(message.find("1024 bytes"), std::string::npos) << message;
}

TEST_F(HttpClientTest, AnIdleConnectionTheServerClosedIsReplaced) {
  start_sim({.idle_timeout = seconds(1)});
  HttpClient& http = make_client(client_options());
  ASSERT_TRUE(get(http).response);
  std::this_thread::sleep_for(milliseconds(1500));  // the sim drops the idle connection at 1 s
  const Outcome again = get(http);
  ASSERT_TRUE(again.response) << again.error->what();
  EXPECT_EQ(again.response->status, 200);
  EXPECT_EQ(http.stats().connections_opened, 2u);
  EXPECT_EQ(server_connections(), 2);
}

TEST_F(HttpClientTest, CloseEndsPendingRequestsPromptly) {
  start_sim();
  set_faults("latency_ms=5000");
  HttpClientOptions options = client_options();
  options.max_connections = 1;  // the second get waits for a slot; close() must end it too
  HttpClient& http = make_client(options);
  Outcome on_the_wire, waiting_for_slot;
  spawn_get(http, on_the_wire);
  spawn_get(http, waiting_for_slot);
  asio::steady_timer close_soon(io, milliseconds(300));
  close_soon.async_wait([&http](const boost::system::error_code&) { http.close(); });
  const auto started = steady_clock::now();
  io.run();
  EXPECT_TRUE(failed_with(on_the_wire, TransportFailure::cancelled, ErrorKind::retry));
  EXPECT_TRUE(failed_with(waiting_for_slot, TransportFailure::cancelled, ErrorKind::retry));
  EXPECT_LT(on_the_wire.finished - started, milliseconds(1000));
  EXPECT_LT(waiting_for_slot.finished - started, milliseconds(1000));

  // Closed for good: a later get() fails the same way without touching the network.
  EXPECT_TRUE(failed_with(get(http), TransportFailure::cancelled, ErrorKind::retry));
}

TEST_F(HttpClientTest, RefusesTargetsThatAreNotOriginForm) {
  start_sim();
  HttpClient& http = make_client(client_options());
  std::exception_ptr failure;
  asio::co_spawn(io, http.get("https://elsewhere.example/", "Basic x"),
                 [&failure](std::exception_ptr error, HttpResponse) { failure = error; });
  io.run();
  EXPECT_THROW(std::rethrow_exception(failure), std::invalid_argument);
}

}  // namespace
}  // namespace insights
