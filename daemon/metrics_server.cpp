#include "daemon/metrics_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "daemon/listen_endpoints.hpp"

namespace insights {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Time a client has to send its request and take the answer.
constexpr std::chrono::seconds kRequestDeadline{5};

}  // namespace

MetricsServer::MetricsServer(asio::any_io_executor executor, EndpointHandler& handler)
    : executor_(executor), handler_(handler) {}

std::vector<tcp::endpoint> MetricsServer::start(const std::vector<tcp::endpoint>& endpoints) {
  std::vector<tcp::endpoint> bound;
  for (const auto& endpoint : endpoints) {
    auto acceptor = std::make_unique<tcp::acceptor>(executor_);
    boost::system::error_code error;
    acceptor->open(endpoint.protocol(), error);
    if (!error)
      acceptor->set_option(asio::socket_base::reuse_address(true), error);
    // [::] serves IPv4 clients too, whatever net.ipv6.bindv6only says.
    if (!error && endpoint.address().is_v6() && endpoint.address().is_unspecified())
      acceptor->set_option(asio::ip::v6_only(false), error);
    if (!error)
      acceptor->bind(endpoint, error);
    if (!error)
      acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      stop();
      throw ListenError("cannot listen on " + describe_endpoint(endpoint) + ": " + error.message());
    }
    bound.push_back(acceptor->local_endpoint());
    acceptors_.push_back(std::move(acceptor));
  }
  for (auto& acceptor : acceptors_)
    asio::co_spawn(executor_, accept_loop(*acceptor), asio::detached);
  return bound;
}

void MetricsServer::stop() {
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors_)
    acceptor->close(ignored);
}

asio::awaitable<void> MetricsServer::accept_loop(tcp::acceptor& acceptor) {
  while (acceptor.is_open()) {
    boost::system::error_code error;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error)
      co_return;  // closed by stop(), or the listener failed: no endpoint, the sync goes on
    asio::co_spawn(executor_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> MetricsServer::serve(tcp::socket socket) {
  boost::beast::tcp_stream stream(std::move(socket));
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  boost::system::error_code error;
  stream.expires_after(kRequestDeadline);
  co_await http::async_read(stream, buffer, request,
                            asio::redirect_error(asio::use_awaitable, error));
  if (error)
    co_return;
  EndpointResponse answer;
  if (request.method() != http::verb::get) {
    answer = {405, "text/plain; charset=utf-8", "only GET\n"};
  } else {
    answer = co_await handler_.handle(std::string(request.target()));
  }
  http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
  response.set(http::field::content_type, answer.content_type);
  response.set(http::field::connection, "close");
  response.body() = std::move(answer.body);
  response.prepare_payload();
  stream.expires_after(kRequestDeadline);
  co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, error));
  stream.socket().shutdown(tcp::socket::shutdown_both, error);
}

}  // namespace insights
