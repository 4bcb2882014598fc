#pragma once
// The daemon's HTTP/1.1 client for one API source: GET requests over HTTPS (or plain HTTP for
// local tests) on Asio C++20 coroutines, with a pool of keep-alive connections.
//
//   HttpClient client(io.get_executor(), {.base = parse_base_url("https://insights.twilio.com")});
//   HttpResponse page = co_await client.get("/v1/Voice/Summaries?PageSize=1000", auth_header);
//
// Connections: at most `max_connections` are open at once. A get() takes an idle connection if
// there is one, else opens one; when all slots are busy it waits (asynchronously, no deadline:
// the wait ends when a slot frees or close() is called). A kept-alive connection that sat idle
// longer than `max_idle`, or that the server has closed (seen without blocking before reuse),
// is replaced by a fresh one.
// Retry: if a request on a REUSED connection fails before any byte of the response arrived
// (reset or closed: the server dropped an idle connection at the moment we reused it), it is
// sent once more on a fresh connection. Safe because get() is only ever a GET (idempotent).
// No other retry happens here; retry policy belongs to the caller (HttpTransportError::kind()).
// Deadlines: each step has its own (options below); a missed one is TransportFailure::timeout.
// Errors: transport failures throw HttpTransportError (api/http_transport_error.hpp); any HTTP
// status, 4xx and 5xx included, is a normal HttpResponse. The constructor throws
// std::runtime_error for an unreadable ca_file and std::invalid_argument for bad options.
// Threading: not thread-safe. Call get() only from coroutines on the executor given to the
// constructor (one thread, or a strand). close() may be called from any thread.
// Ownership/lifetime: the client must outlive every get() coroutine it started; destroy it
// after they finished (e.g. after close() and io_context::run() returned).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_transport_error.hpp"
#include "api/url_guard.hpp"

namespace insights {

struct HttpClientOptions {
  BaseUrl base;         // scheme, host and port every request goes to
  std::string ca_file;  // https: "" = system CA store; else only the CAs in this PEM file
  std::size_t max_connections = 4;  // open connections (and so requests in flight); >= 1
  std::chrono::milliseconds resolve_timeout{10'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};        // sending the request
  std::chrono::milliseconds read_header_timeout{60'000};  // until the status line and headers
  std::chrono::milliseconds read_body_timeout{120'000};   // the whole body, after the headers
  // An idle connection older than this is closed rather than reused: servers drop idle
  // connections after a while (Twilio's edge after about a minute), and reusing one at that
  // moment costs a failed request.
  std::chrono::milliseconds max_idle{30'000};
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // larger: TransportFailure::body_too_large
  std::string user_agent = "insights-sync";
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;

  // The first header named `name` (case-insensitive), "" when absent.
  std::string_view header(std::string_view name) const;
};

struct HttpClientStats {
  std::size_t connections_opened = 0;  // TCP (+TLS) connections established so far
  std::size_t requests_sent = 0;       // including the one-time resend on a fresh connection
  std::size_t stale_retries = 0;       // resends after a reused connection failed
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs `target` (origin-form: "/path?query") from the base URL, sending `authorization` as
  // the Authorization header when not empty. Throws HttpTransportError.
  boost::asio::awaitable<HttpResponse> get(std::string target, std::string authorization);

  // Closes every connection and ends every pending get() (waiting for a slot or on the wire)
  // promptly with TransportFailure::cancelled; later calls fail the same way. Permanent.
  // Safe from any thread (it is dispatched to the client's executor).
  void close();

  const HttpClientOptions& options() const;
  HttpClientStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace insights
