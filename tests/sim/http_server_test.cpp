#include "sim/http_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "sim/tls_identity.hpp"
#include "tests/support/http_test_client.hpp"

namespace insights::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace std::chrono_literals;
using insights::testing::HttpClientOptions;
using insights::testing::HttpResult;
using insights::testing::HttpTestClient;
using insights::testing::HttpTestRequest;
using insights::testing::TransportError;

// Answers by target:
//   /fault/reset, /fault/truncate  a 256 KiB body carried out with that TransportFault
//   /slow                          waits 500 ms on a timer, then answers
//   /very-slow                     waits 30 s (for stop())
//   /throw                         throws
//   /throttled                     429 with Retry-After
//   /big                           a 2 MiB body
//   anything else                  echoes the request as text
class ToyHandler : public RequestHandler {
 public:
  asio::awaitable<HttpResponse> handle(HttpRequest request) override {
    ++calls;
    HttpResponse response;
    if (request.target == "/fault/reset" || request.target == "/fault/truncate") {
      response.body = std::string(256 * 1024, 'x');
      response.fault = request.target == "/fault/reset" ? TransportFault::reset_mid_body
                                                        : TransportFault::truncate_body;
    } else if (request.target == "/slow" || request.target == "/very-slow") {
      ++suspended;
      asio::steady_timer timer(co_await asio::this_coro::executor,
                               request.target == "/slow" ? 500ms : 30s);
      co_await timer.async_wait(asio::use_awaitable);  // stop() cancels this: it throws
      --suspended;
      response.body = "slept";
    } else if (request.target == "/throw") {
      throw std::runtime_error("handler failed");
    } else if (request.target == "/throttled") {
      response.status = 429;
      response.headers.emplace_back("Retry-After", "1");
      response.body = R"({"code":20429,"status":429})";
    } else if (request.target == "/big") {
      response.body = std::string(2 * 1024 * 1024, 'b');
      response.body.front() = '[';
      response.body.back() = ']';
    } else {
      response.content_type = "text/plain";
      response.body = request.method + " " + request.target +
                      "\nauthorization: " + request.authorization + "\nhost: " + request.host +
                      "\nbody: " + request.body;
    }
    co_return response;
  }

  std::atomic<int> calls{0};
  std::atomic<int> suspended{0};  // handler calls waiting on their timer now
};

// A CA and server certificate for localhost / 127.0.0.1, the CA written to a file clients
// load. Made once: key generation is cheap, but one identity keeps the suite simple.
struct TestIdentity {
  TestIdentity()
      : identity(make_tls_identity({"localhost"}, {"127.0.0.1", "::1"})),
        ca_file((std::filesystem::temp_directory_path() /
                 ("insights-sim-test-ca-" + std::to_string(::getpid()) + ".pem"))
                    .string()) {
    write_ca_file(identity, ca_file);
  }
  ~TestIdentity() { std::filesystem::remove(ca_file); }
  TlsIdentity identity;
  std::string ca_file;
};

const TestIdentity& test_identity() {
  static const TestIdentity identity;
  return identity;
}

// An HttpServer running on its own thread, as the sim runs it; tests talk to it with the
// synchronous client from the test's thread.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options) : server_(io_, std::move(options), handler_) {
    server_.start();
    thread_ = std::thread([this] {
      io_.run();
      run_returned_.set_value();
    });
  }
  ~RunningServer() { stop_and_wait(60s); }

  // Stops the server from this (the test's) thread, which the contract allows, and reports
  // whether io_context::run() returned within `limit`.
  bool stop_and_wait(std::chrono::milliseconds limit) {
    if (!thread_.joinable()) {
      return true;
    }
    server_.stop();
    const bool returned = finished_.wait_for(limit) == std::future_status::ready;
    if (returned) {
      thread_.join();
    } else {
      io_.stop();  // do not leave a thread behind; the test has failed already
      thread_.join();
    }
    return returned;
  }

  unsigned short port() const { return server_.port(); }
  ToyHandler& handler() { return handler_; }

  HttpClientOptions client_options() const {
    HttpClientOptions options;
    options.port = port();
    options.timeout = 5s;
    if (server_.options().tls) {
      options.tls = true;
      options.ca_file = test_identity().ca_file;
      options.verify_host = "localhost";
    }
    return options;
  }

 private:
  ToyHandler handler_;
  asio::io_context io_;
  HttpServer server_;
  std::promise<void> run_returned_;
  std::future<void> finished_ = run_returned_.get_future();
  std::thread thread_;
};

ServerOptions plain_options() {
  return ServerOptions{};
}

ServerOptions tls_options() {
  ServerOptions options;
  options.tls = make_server_tls_context(test_identity().identity);
  return options;
}

// What a raw TCP peer saw: everything the server sent until it closed the connection (or
// `limit` passed), and how long that took.
struct RawExchange {
  std::string received;
  beast::error_code end;  // eof when the server closed; beast::error::timeout when it did not
  std::chrono::milliseconds elapsed;
};

RawExchange raw_exchange(unsigned short port, const std::string& bytes,
                         std::chrono::milliseconds limit) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.socket().connect({asio::ip::make_address("127.0.0.1"), port});
  if (!bytes.empty()) {
    asio::write(stream.socket(), asio::buffer(bytes));
  }
  RawExchange exchange;
  const auto started = std::chrono::steady_clock::now();
  stream.expires_after(limit);
  asio::async_read(stream, asio::dynamic_buffer(exchange.received),
                   [&](const beast::error_code& error, std::size_t) { exchange.end = error; });
  io.run();
  exchange.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return exchange;
}

class HttpServerBothTransports : public ::testing::TestWithParam<bool> {
 protected:
  ServerOptions options() const { return GetParam() ? tls_options() : plain_options(); }
};

std::string transport_name(const ::testing::TestParamInfo<bool>& tls) {
  return tls.param ? "Tls" : "Plain";
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, HttpServerBothTransports, ::testing::Values(false, true),
                         transport_name);

TEST_P(HttpServerBothTransports, EchoesMethodTargetAuthorizationHostAndBody) {
  RunningServer server(options());
  HttpTestClient client(server.client_options());

  HttpTestRequest request;
  request.method = "POST";
  request.target = "/v1/Voice/Summaries?PageSize=50&StartTime=2026-01-01T00:00:00Z";
  request.authorization = insights::testing::basic_auth("AC123", "secret");
  request.body = "hello";
  const HttpResult result = client.send(request);

  ASSERT_TRUE(result.ok()) << result.transport << ": " << result.error;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.header("content-type"), "text/plain");
  EXPECT_EQ(result.header("Content-Length"), std::to_string(result.body.size()));
  EXPECT_EQ(result.body,
            "POST /v1/Voice/Summaries?PageSize=50&StartTime=2026-01-01T00:00:00Z\n"
            "authorization: Basic QUMxMjM6c2VjcmV0\n"
            "host: " +
                (GetParam() ? std::string("localhost") : std::string("127.0.0.1")) + ":" +
                std::to_string(server.port()) + "\nbody: hello");
}

TEST_P(HttpServerBothTransports, KeepAliveServesManyRequestsOnOneConnection) {
  RunningServer server(options());
  HttpTestClient client(server.client_options());
  for (int i = 0; i < 5; ++i) {
    const HttpResult result = client.get("/echo/" + std::to_string(i));
    ASSERT_TRUE(result.ok()) << result.transport << ": " << result.error;
    EXPECT_EQ(result.reused_connection, i > 0);
  }
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_EQ(server.handler().calls, 5);
}

TEST_P(HttpServerBothTransports, ConnectionCloseRequestEndsTheConnection) {
  RunningServer server(options());
  HttpTestClient client(server.client_options());
  HttpTestRequest request;
  request.keep_alive = false;
  const HttpResult first = client.send(request);
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_EQ(first.header("Connection"), "close");
  EXPECT_FALSE(client.connected());

  const HttpResult second = client.get("/");
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_P(HttpServerBothTransports, ResetMidBodyIsAResetAndTheServerKeepsServing) {
  RunningServer server(options());
  HttpTestClient client(server.client_options());
  const HttpResult faulted = client.get("/fault/reset");
  EXPECT_EQ(faulted.transport, TransportError::connection_reset) << faulted.error;
  // The RST may also discard bytes still queued in the server's kernel: at most half arrives.
  EXPECT_LE(faulted.body.size(), 128u * 1024);

  HttpTestClient next(server.client_options());
  const HttpResult after = next.get("/after");
  ASSERT_TRUE(after.ok()) << after.error;
  EXPECT_EQ(after.status, 200);
}

TEST_P(HttpServerBothTransports, TruncatedBodyIsClosedEarlyAndTheServerKeepsServing) {
  RunningServer server(options());
  HttpTestClient client(server.client_options());
  const HttpResult faulted = client.get("/fault/truncate");
  EXPECT_EQ(faulted.transport, TransportError::closed_early) << faulted.error;
  // A FIN drops nothing: the header with the whole length, then exactly half the body.
  EXPECT_TRUE(faulted.got_partial_response);
  EXPECT_EQ(faulted.status, 200);
  EXPECT_EQ(faulted.header("Content-Length"), std::to_string(256 * 1024));
  EXPECT_EQ(faulted.body.size(), 128u * 1024);

  const HttpResult after = client.get("/after");  // the client reconnects by itself
  ASSERT_TRUE(after.ok()) << after.error;
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_P(HttpServerBothTransports, HandlerExceptionClosesTheConnectionWithoutAResponse) {
  RunningServer server(options());
  HttpTestClient client(server.client_options());
  const HttpResult failed = client.get("/throw");
  EXPECT_EQ(failed.transport, TransportError::closed_early) << failed.error;
  EXPECT_FALSE(failed.got_partial_response);

  const HttpResult after = client.get("/after");
  ASSERT_TRUE(after.ok()) << after.error;
}

TEST_P(HttpServerBothTransports, OversizedRequestBodyGets413AndTheConnectionCloses) {
  ServerOptions limited = options();
  limited.max_request_bytes = 1024;
  RunningServer server(limited);
  HttpTestClient client(server.client_options());

  HttpTestRequest request;
  request.method = "POST";
  request.body = std::string(1024, 'a');  // at the limit: fine
  const HttpResult accepted = client.send(request);
  ASSERT_TRUE(accepted.ok()) << accepted.error;
  EXPECT_EQ(accepted.status, 200);

  request.body = std::string(4096, 'a');
  const HttpResult rejected = client.send(request);
  ASSERT_TRUE(rejected.ok()) << rejected.error;
  EXPECT_EQ(rejected.status, 413);
  EXPECT_EQ(rejected.header("Connection"), "close");
  EXPECT_FALSE(client.connected());
  EXPECT_EQ(server.handler().calls, 1);
}

TEST_P(HttpServerBothTransports, HandlerSuspendedOnATimerDoesNotBlockOtherConnections) {
  RunningServer server(options());
  auto slow = std::async(std::launch::async, [&server] {
    HttpTestClient client(server.client_options());
    return client.get("/slow");
  });
  while (server.handler().suspended == 0) {
    std::this_thread::sleep_for(1ms);
  }

  HttpTestClient client(server.client_options());
  const auto started = std::chrono::steady_clock::now();
  const HttpResult quick = client.get("/quick");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(quick.ok()) << quick.error;
  EXPECT_EQ(server.handler().suspended, 1) << "the quick request waited for the slow one";
  EXPECT_LT(took, 400ms);

  const HttpResult slow_result = slow.get();
  ASSERT_TRUE(slow_result.ok()) << slow_result.error;
  EXPECT_EQ(slow_result.body, "slept");
}

TEST_P(HttpServerBothTransports, StopEndsRunPromptlyWithConnectionsOpen) {
  RunningServer server(options());
  // An idle keep-alive connection.
  HttpTestClient idle(server.client_options());
  ASSERT_TRUE(idle.get("/").ok());
  // A connection that never sends a byte (mid-handshake for TLS).
  asio::io_context raw_io;
  asio::ip::tcp::socket silent(raw_io);
  silent.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  // A request whose handler sleeps for 30 s.
  auto sleeping = std::async(std::launch::async, [&server] {
    HttpTestClient client(server.client_options());
    return client.get("/very-slow");
  });
  while (server.handler().suspended == 0) {
    std::this_thread::sleep_for(1ms);
  }

  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(server.stop_and_wait(2s)) << "io_context::run() did not return after stop()";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);

  const HttpResult interrupted = sleeping.get();
  EXPECT_FALSE(interrupted.ok());
  EXPECT_NE(interrupted.transport, TransportError::timeout) << interrupted.error;
}

TEST_P(HttpServerBothTransports, IdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions short_idle = options();
  short_idle.idle_timeout = 1s;
  RunningServer server(short_idle);

  // A connection that never says anything (never starts the TLS handshake) is closed.
  const RawExchange silent = raw_exchange(server.port(), "", 5s);
  EXPECT_NE(silent.end, beast::error::timeout) << "the server never closed the connection";
  EXPECT_GE(silent.elapsed, 900ms);
  EXPECT_LT(silent.elapsed, 3s);

  // A kept-alive connection idle past the timeout is gone when the client comes back.
  HttpTestClient client(server.client_options());
  ASSERT_TRUE(client.get("/").ok());
  std::this_thread::sleep_for(1500ms);
  const HttpResult stale = client.get("/");
  EXPECT_FALSE(stale.ok());
  EXPECT_TRUE(stale.reused_connection);
  const HttpResult fresh = client.get("/");
  ASSERT_TRUE(fresh.ok()) << fresh.error;
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST(HttpServer, StatusAndExtraHeadersReachTheClient) {
  RunningServer server(plain_options());
  HttpTestClient client(server.client_options());
  const HttpResult result = client.get("/throttled");
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.status, 429);
  EXPECT_EQ(result.header("Retry-After"), "1");
  EXPECT_EQ(result.header("Content-Type"), "application/json");
  EXPECT_EQ(result.body, R"({"code":20429,"status":429})");
}

TEST(HttpServer, MalformedRequestGets400AndTheConnectionCloses) {
  RunningServer server(plain_options());
  const RawExchange exchange = raw_exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n", 5s);
  EXPECT_EQ(exchange.end, asio::error::eof) << exchange.end.message();
  EXPECT_TRUE(exchange.received.starts_with("HTTP/1.1 400 Bad Request\r\n")) << exchange.received;
  EXPECT_EQ(server.handler().calls, 0);
}

TEST(HttpServer, PortZeroPicksAFreePortAndATakenPortThrows) {
  RunningServer server(plain_options());
  EXPECT_NE(server.port(), 0);

  asio::io_context io;
  ToyHandler handler;
  ServerOptions same_port;
  same_port.port = server.port();
  EXPECT_THROW(HttpServer(io, same_port, handler), boost::system::system_error);
}

// The test client's own failure reports, which other suites rely on.
TEST(HttpTestClient, ReportsATimeoutAndARefusedConnection) {
  RunningServer server(plain_options());
  HttpClientOptions options = server.client_options();
  options.timeout = 200ms;
  HttpTestClient impatient(options);
  const HttpResult slow = impatient.get("/slow");
  EXPECT_EQ(slow.transport, TransportError::timeout) << slow.error;
  EXPECT_FALSE(impatient.connected());

  ASSERT_TRUE(server.stop_and_wait(5s));
  HttpTestClient refused(options);
  const HttpResult result = refused.get("/");
  EXPECT_EQ(result.transport, TransportError::connect_failed) << result.error;
  EXPECT_EQ(refused.connections_opened(), 0);
}

TEST(HttpServerTls, VerifiesAsLocalhostAndAs127001) {
  RunningServer server(tls_options());
  for (const char* name : {"localhost", "127.0.0.1"}) {
    HttpClientOptions options = server.client_options();
    options.verify_host = name;
    HttpTestClient client(options);
    const HttpResult result = client.get("/");
    ASSERT_TRUE(result.ok()) << name << ": " << result.transport << ": " << result.error;
    EXPECT_EQ(result.status, 200);
  }
}

TEST(HttpServerTls, ClientTrustingAnotherCaRefusesTheServer) {
  RunningServer server(tls_options());
  const TlsIdentity stranger = make_tls_identity({"localhost"}, {"127.0.0.1"});
  const std::string stranger_ca = test_identity().ca_file + ".stranger";
  write_ca_file(stranger, stranger_ca);

  HttpClientOptions options = server.client_options();
  options.ca_file = stranger_ca;
  HttpTestClient client(options);
  const HttpResult result = client.get("/");
  std::filesystem::remove(stranger_ca);
  EXPECT_EQ(result.transport, TransportError::tls_failed) << result.error;
  EXPECT_EQ(server.handler().calls, 0);

  HttpTestClient trusting(server.client_options());
  EXPECT_TRUE(trusting.get("/").ok()) << "the server stopped serving after a failed handshake";
}

TEST(HttpServerTls, ClientExpectingAnotherHostNameRefusesTheServer) {
  RunningServer server(tls_options());
  HttpClientOptions options = server.client_options();
  options.verify_host = "sim.example.com";
  HttpTestClient client(options);
  const HttpResult result = client.get("/");
  EXPECT_EQ(result.transport, TransportError::tls_failed) << result.error;
}

TEST(HttpServerTls, PlainClientOnTheTlsPortGetsNoResponse) {
  RunningServer server(tls_options());
  HttpClientOptions options = server.client_options();
  options.tls = false;
  HttpTestClient client(options);
  const HttpResult result = client.get("/");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(server.handler().calls, 0);
}

// Two-megabyte bodies, the size of a 1000-summary page, arrive intact over one kept-alive TLS
// connection. Prints the rate as a rough figure (client and server share the machine).
TEST(HttpServerTls, LargeBodiesOverKeepAlive) {
  RunningServer server(tls_options());
  HttpTestClient client(server.client_options());
  constexpr int kPages = 20;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kPages; ++i) {
    const HttpResult page = client.get("/big");
    ASSERT_TRUE(page.ok()) << page.error;
    ASSERT_EQ(page.body.size(), 2u * 1024 * 1024);
    EXPECT_EQ(page.body.front(), '[');
    EXPECT_EQ(page.body.back(), ']');
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(client.connections_opened(), 1);
  std::printf("[ info     ] %d x 2 MiB over keep-alive HTTPS: %.0f MiB/s\n", kPages,
              2.0 * kPages / took.count());
}

}  // namespace
}  // namespace insights::sim
