#include "daemon/metrics_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

namespace insights {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Time a client has to send its request and take the answer.
constexpr std::chrono::seconds kRequestDeadline{5};

}  // namespace

MetricsServer::MetricsServer(asio::any_io_executor executor, EndpointHandler& handler)
    : executor_(executor), handler_(handler), acceptor_(executor) {}

unsigned short MetricsServer::start(const std::string& address, unsigned short port) {
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  asio::co_spawn(executor_, accept_loop(), asio::detached);
  return acceptor_.local_endpoint().port();
}

void MetricsServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> MetricsServer::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code error;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
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
