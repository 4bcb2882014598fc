#include "sim/http_connection.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <type_traits>
#include <utility>

namespace insights::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Errors come back as values (a tuple whose first element is the error_code) because most of
// them are expected: a client closing, a deadline passing.
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

// How long a closing connection waits for the peer's side of the close (TLS close_notify, TCP
// FIN) before the socket is closed anyway.
constexpr std::chrono::seconds kClosingGracePeriod{2};

template <typename Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

HttpRequest to_handler_request(Request&& message, bool tls) {
  HttpRequest request;
  request.tls = tls;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.authorization = std::string(message[http::field::authorization]);
  request.host = std::string(message[http::field::host]);
  request.body = std::move(message.body());
  return request;
}

// Moves the handler's body into the message: pages are ~2 MB, and this is the only copy the
// server would otherwise make. Throws std::invalid_argument for a status outside 0..999.
Response to_wire_response(HttpResponse&& response, unsigned http_version, bool keep_alive) {
  Response message;
  message.version(http_version);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::server, "insights-sim");
  if (!response.content_type.empty()) {
    message.set(http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    message.insert(name, value);
  }
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();  // Content-Length of the whole body, also for a faulted response
  return message;
}

// The status to answer a request Beast could not read with, or nullopt when the failure is the
// transport's (peer gone, deadline passed) and there is nobody to answer.
std::optional<http::status> rejection_status(const beast::error_code& error) {
  static const auto& parse_errors = http::make_error_code(http::error::bad_method).category();
  if (error == http::error::body_limit) {
    return http::status::payload_too_large;
  }
  if (error == http::error::header_limit) {
    return http::status::request_header_fields_too_large;
  }
  if (error.category() == parse_errors && error != http::error::end_of_stream &&
      error != http::error::partial_message) {
    return http::status::bad_request;
  }
  return std::nullopt;
}

// Ends the TCP conversation politely: send FIN, then discard what the peer still sends until it
// closes too (or the grace period ends), so unread request bytes do not turn our close into a
// reset that could destroy the response still in flight.
asio::awaitable<void> finish_tcp(beast::tcp_stream& transport) {
  beast::error_code ignored;  // the peer may be gone already; we are closing regardless
  transport.socket().shutdown(asio::socket_base::shutdown_send, ignored);
  transport.expires_after(kClosingGracePeriod);
  std::array<char, 4096> discard;
  for (;;) {
    auto [error, bytes] = co_await transport.async_read_some(asio::buffer(discard), as_result);
    if (error) {
      break;
    }
  }
  transport.close();
}

template <typename Stream>
asio::awaitable<void> close_gracefully(Stream& stream) {
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);
  if constexpr (kIsTls<Stream>) {
    transport.expires_after(kClosingGracePeriod);
    // Sends close_notify and waits for the peer's; many clients just close TCP instead, which
    // ends this with an error we do not care about.
    co_await stream.async_shutdown(as_result);
  }
  co_await finish_tcp(transport);
}

template <typename Stream>
asio::awaitable<void> reject(Stream& stream, http::status status, ConnectionLimits limits) {
  Response message{status, 11};
  message.set(http::field::server, "insights-sim");
  message.set(http::field::content_type, "text/plain");
  message.body() = std::string(http::obsolete_reason(status)) + "\n";
  message.keep_alive(false);
  message.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(limits.idle_timeout);
  auto [error, bytes] = co_await http::async_write(stream, message, as_result);
  if (!error) {
    co_await close_gracefully(stream);
  }
}

// Carries out a TransportFault: the header (with the full Content-Length) and the first half
// of the body go out, then the connection dies.
//  - reset_mid_body: SO_LINGER {on, 0} and close, so the kernel sends RST. Bytes still queued
//    in our send buffer are dropped, so the peer receives at most half the body, then
//    ECONNRESET.
//  - truncate_body: TCP FIN, as if the server had finished. Over TLS no close_notify is sent
//    first, so a TLS client sees a truncated stream (OpenSSL "unexpected eof"); a plain client
//    sees end of file before Content-Length bytes (Beast: partial_message).
// With an empty body there is nothing to cut: truncate_body then sends a complete response.
template <typename Stream>
asio::awaitable<void> write_with_fault(Stream& stream, Response& message, TransportFault fault,
                                       ConnectionLimits limits) {
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);
  http::response_serializer<http::string_body> serializer{message};
  transport.expires_after(limits.idle_timeout);
  auto [header_error, header_bytes] =
      co_await http::async_write_header(stream, serializer, as_result);
  if (header_error) {
    co_return;
  }
  const std::string& body = message.body();
  auto [body_error, body_bytes] =
      co_await asio::async_write(stream, asio::buffer(body.data(), body.size() / 2), as_result);
  if (body_error) {
    co_return;
  }
  if (fault == TransportFault::reset_mid_body) {
    beast::error_code ignored;  // without the linger option the close is a FIN: still a failure
    transport.socket().set_option(asio::socket_base::linger(true, 0), ignored);
    transport.close();
    co_return;
  }
  co_await finish_tcp(transport);
}

template <typename Stream>
asio::awaitable<void> serve(std::shared_ptr<Stream> stream_owner, RequestHandler& handler,
                            ConnectionLimits limits) {
  Stream& stream = *stream_owner;
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);

  if constexpr (kIsTls<Stream>) {
    transport.expires_after(limits.idle_timeout);
    auto [error] = co_await stream.async_handshake(asio::ssl::stream_base::server, as_result);
    if (error) {
      co_return;  // not TLS, or the client gave up (e.g. it does not trust our CA)
    }
  }

  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_request_bytes);
    transport.expires_after(limits.idle_timeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, as_result);
    if (read_error) {
      if (const auto status = rejection_status(read_error)) {
        co_await reject(stream, *status, limits);
      } else if (read_error == http::error::end_of_stream) {
        co_await close_gracefully(stream);  // the client closed between requests
      }
      co_return;  // deadline, reset, cancelled: the socket just closes
    }

    Request request = parser.release();
    const unsigned http_version = request.version();
    const bool keep_alive = request.keep_alive();
    HttpResponse response =
        co_await handler.handle(to_handler_request(std::move(request), kIsTls<Stream>));
    const TransportFault fault = response.fault;
    Response message = to_wire_response(std::move(response), http_version, keep_alive);
    if (fault != TransportFault::none) {
      co_await write_with_fault(stream, message, fault, limits);
      co_return;
    }

    transport.expires_after(limits.idle_timeout);
    auto [write_error, write_bytes] = co_await http::async_write(stream, message, as_result);
    if (write_error) {
      co_return;
    }
    if (!keep_alive) {
      co_await close_gracefully(stream);
      co_return;
    }
  }
}

// Swallows what ends a connection early (the handler threw, HttpServer::stop() cancelled us):
// one connection failing must not reach the io_context.
template <typename Stream>
asio::awaitable<void> serve_until_done(std::shared_ptr<Stream> stream, RequestHandler& handler,
                                       ConnectionLimits limits) {
  try {
    co_await serve(std::move(stream), handler, limits);
  } catch (...) {
    // The stream was released with the inner frame, which closed the socket: the client sees
    // the connection close without a response. Nothing else to do.
  }
}

}  // namespace

asio::awaitable<void> serve_connection(std::shared_ptr<PlainStream> stream, RequestHandler& handler,
                                       ConnectionLimits limits) {
  return serve_until_done(std::move(stream), handler, limits);
}

asio::awaitable<void> serve_connection(std::shared_ptr<TlsStream> stream, RequestHandler& handler,
                                       ConnectionLimits limits) {
  return serve_until_done(std::move(stream), handler, limits);
}

}  // namespace insights::sim
