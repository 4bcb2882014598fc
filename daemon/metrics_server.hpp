#pragma once
// The daemon's small HTTP endpoint for operators (GET /metrics, /healthz, /readyz), served on
// its own event loop with Beast: one request per connection (Connection: close), 5 s to send
// it, so an idle client never holds the daemon's shutdown.
//
//   MetricsServer server(io.get_executor(), handler);
//   auto bound = server.start(listen_endpoints(address));   // throws ListenError when it cannot
//   ...
//   server.stop();  // no new connections; the ones open finish within their deadline
//
// Threading: the executor's thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

namespace insights {

struct EndpointResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class EndpointHandler {
 public:
  virtual ~EndpointHandler() = default;
  // The path and query of a GET request; may suspend (e.g. to ask the database).
  virtual boost::asio::awaitable<EndpointResponse> handle(std::string target) = 0;
};

class MetricsServer {
 public:
  MetricsServer(boost::asio::any_io_executor executor, EndpointHandler& handler);

  // Listens on every endpoint (port 0 = any free port; [::] accepts IPv4 too) and returns the
  // endpoints bound, in order. Throws ListenError (daemon/listen_endpoints.hpp) naming the
  // endpoint that cannot be had; then it listens on none.
  std::vector<boost::asio::ip::tcp::endpoint> start(
      const std::vector<boost::asio::ip::tcp::endpoint>& endpoints);
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor);
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::any_io_executor executor_;
  EndpointHandler& handler_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
};

}  // namespace insights
