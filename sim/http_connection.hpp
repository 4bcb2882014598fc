#pragma once
// One accepted connection of HttpServer, served as a coroutine: (TLS handshake,) then read a
// request, hand it to the RequestHandler, write its response, and repeat while keep-alive.
// Internal to sim/http_server.cpp; split out so the server file is about listening and
// tracking, and this one about a single conversation.
//
// Deadlines: each network step (handshake, each request read, each response write) must finish
// within `idle_timeout`; closing waits at most a short grace period for the peer.
// Errors: the coroutine never throws. Transport errors and deadlines end the connection
// quietly; so do an exception from the handler and the cancellation HttpServer::stop() sends
// (the client sees the connection close without a response). Bad requests get 400 (malformed),
// 413 (body over the limit) or 431 (header over Beast's default 8 KiB), then the connection
// closes.
// Ownership: the coroutine shares ownership of the stream, so the server can keep a weak
// pointer to close it; `handler` must outlive the coroutine.
// Threading: runs on the stream's executor (the server's io_context).

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include "sim/http_server.hpp"

namespace insights::sim {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct ConnectionLimits {
  std::chrono::seconds idle_timeout;
  std::size_t max_request_bytes;  // request body limit
};

boost::asio::awaitable<void> serve_connection(std::shared_ptr<PlainStream> stream,
                                              RequestHandler& handler, ConnectionLimits limits);
boost::asio::awaitable<void> serve_connection(std::shared_ptr<TlsStream> stream,
                                              RequestHandler& handler, ConnectionLimits limits);

}  // namespace insights::sim
