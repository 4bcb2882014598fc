#pragma once
// A small synchronous HTTP/1.1 client for tests that drive insights-sim (or any local server):
// plain HTTP or HTTPS with real verification (a CA file and the host name), one keep-alive
// connection reused across requests, and transport failures reported as values so a test can
// assert "the server reset the connection" instead of catching exceptions.
//
//   HttpTestClient client({.port = server.port(), .tls = true, .ca_file = ca_path});
//   HttpResult page = client.get("/v1/Voice/Summaries?PageSize=50", basic_auth("AC1", "secret"));
//   ASSERT_TRUE(page.ok()) << page.error;   // transport: a complete response arrived
//   EXPECT_EQ(page.status, 200);
//
// Each call sends the request exactly once: there is no retry, not even when a reused
// connection turns out to have been closed by the server meanwhile (see
// HttpResult::reused_connection). After any transport error, or a response that does not keep
// the connection alive, the next request opens a new connection.
//
// Deadlines: every step (connect, TLS handshake, write, read) must finish within
// HttpClientOptions::timeout, otherwise the result is TransportError::timeout.
// Threading: one client per thread; it runs its own private io_context inside each call, so it
// can be used while the server's io_context runs on another thread (never on the same thread:
// the call would block the server it waits for).
// Errors: setup mistakes (tls without a CA file, an unreadable one) throw std::runtime_error
// (or boost::system::system_error) from the constructor; everything that goes wrong on the wire
// is an HttpResult.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace insights::testing {

struct HttpClientOptions {
  std::string host = "127.0.0.1";  // where to connect (a name or an address)
  unsigned short port = 0;
  bool tls = false;
  std::string ca_file;  // with tls: the only CA trusted (PEM file); required
  // With tls: the name the certificate must match (a DNS name or an IP address); "" = host.
  // Also sent as SNI when it is a DNS name.
  std::string verify_host;
  std::chrono::milliseconds timeout{10'000};               // per step; see the header comment
  std::size_t max_response_body_bytes = 64 * 1024 * 1024;  // larger is bad_response
};

// How the exchange ended on the wire, independent of the HTTP status.
enum class TransportError {
  none,              // a complete response arrived (whatever its status)
  connect_failed,    // name resolution or TCP connect failed (e.g. connection refused)
  tls_failed,        // TLS handshake failed, including certificate or host-name verification
  timeout,           // a step did not finish within HttpClientOptions::timeout
  connection_reset,  // the server reset the connection (RST) before the response was complete
  closed_early,      // the server closed (TCP FIN, TLS EOF) before the response was complete
  bad_response,      // the bytes are not a valid HTTP response, or the body exceeds the limit
  other,             // anything else; see HttpResult::error
};
const char* to_string(TransportError error);
std::ostream& operator<<(std::ostream& out, TransportError error);  // for test messages

struct HttpResult {
  TransportError transport = TransportError::none;
  std::string error;  // what went wrong, for assertion messages; "" when transport == none
  // The response. After a transport error that struck once the header had arrived (a reset
  // or a close mid-body), these hold what did arrive: the status, the headers and the part of
  // the body received; otherwise status is 0 and they are empty.
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;
  // True when the request went out on a connection an earlier request had opened.
  bool reused_connection = false;
  // True when some bytes of the response arrived before a transport error.
  bool got_partial_response = false;

  bool ok() const { return transport == TransportError::none; }
  // The first header named `name` (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpTestRequest {
  std::string method = "GET";
  std::string target = "/";   // path and query
  std::string authorization;  // the Authorization header's value; "" = none
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;        // sent with a Content-Length when not empty
  bool keep_alive = true;  // false sends "Connection: close"
};

class HttpTestClient {
 public:
  explicit HttpTestClient(HttpClientOptions options);
  ~HttpTestClient();
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  HttpResult send(const HttpTestRequest& request);
  HttpResult get(std::string target, std::string authorization = "");

  // Closes the kept-alive connection, if any; the next request opens a new one.
  void disconnect();
  bool connected() const;
  // How many connections this client has opened (successfully connected) so far.
  int connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The Authorization header value for HTTP Basic auth: "Basic " + base64(user ":" password).
std::string basic_auth(std::string_view user, std::string_view password);

}  // namespace insights::testing
