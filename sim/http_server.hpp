#pragma once
// A small HTTP/1.1 server for insights-sim on Asio coroutines and Beast: plain HTTP or HTTPS,
// keep-alive, one coroutine per connection, requests handed to a RequestHandler.
//
// Transport faults (a connection reset mid-body, a body cut short) are carried out here on the
// handler's request, so the handler stays a pure "request in, response out" function.
// Threading: everything runs on the io_context passed in (the sim runs it on one thread).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace insights::sim {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // origin-form: path and query, as received
  std::string authorization;  // the Authorization header, "" when absent
  std::string host;           // the Host header
  bool tls = false;           // arrived over HTTPS (for absolute URLs in responses)
  std::string body;
};

enum class TransportFault {
  none,
  reset_mid_body,  // send the headers and part of the body, then reset the connection (RST)
  truncate_body,   // declare the full Content-Length, send part of the body, then close (FIN)
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Retry-After, ...)
  TransportFault fault = TransportFault::none;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Called once per request; may suspend (e.g. to add latency). Must not throw for bad input:
  // bad requests are responses (4xx). An exception closes the connection.
  virtual boost::asio::awaitable<HttpResponse> handle(HttpRequest request) = 0;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;  // 0 = any free port; see HttpServer::port()
  // Set for HTTPS; null for plain HTTP. Shared so one identity can serve several listeners.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // Close a keep-alive connection idle this long; also the deadline for the TLS handshake and
  // for writing each response.
  std::chrono::seconds idle_timeout{60};
  std::size_t max_request_bytes = 64 * 1024;  // request body limit; larger gets 413
};

class HttpServer {
 public:
  // Binds and listens immediately (throws boost::system::system_error when it cannot), so
  // port() is known before start(). `handler` must outlive every coroutine the server starts:
  // keep it until io.run() has returned (or the io_context is destroyed).
  HttpServer(boost::asio::io_context& io, ServerOptions options, RequestHandler& handler);
  // Stops (see stop()) directly, so destroy the server on the io_context's thread or while no
  // thread runs it, and before the io_context.
  ~HttpServer();

  unsigned short port() const;
  const ServerOptions& options() const;

  // Starts accepting connections on the io_context.
  void start();
  // Stops accepting and closes every open connection; a handler suspended in an async
  // operation (e.g. a latency timer) is cancelled (it sees operation_aborted). Once the
  // connections have unwound, io.run() returns. Safe to call from any thread: off the
  // io_context's thread it is posted there.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace insights::sim
