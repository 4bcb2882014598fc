#include "sim/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <exception>
#include <unordered_map>

#include "sim/http_connection.hpp"

namespace insights::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

// After a failed accept that is not ours (e.g. out of file descriptors), wait a little rather
// than spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

tcp::acceptor open_acceptor(asio::io_context& io, const ServerOptions& options) {
  const tcp::endpoint endpoint(asio::ip::make_address(options.address), options.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

}  // namespace

// Shared by the HttpServer and every coroutine it starts, so a coroutine that outlives the
// HttpServer object (it is still unwinding when the server is destroyed) finds valid state.
struct HttpServer::State : std::enable_shared_from_this<State> {
  // What the server keeps of a live connection: enough to close it, never ownership.
  struct OpenConnection {
    std::weak_ptr<beast::tcp_stream> transport;
    // Bound to the connection's coroutine, so stop() can also interrupt a handler that is
    // suspended (e.g. on a latency timer) rather than wait for it.
    asio::cancellation_signal cancel;
  };

  // Completion of a connection's coroutine. The entry is erased from a posted handler, not
  // here: co_spawn calls this while the coroutine's frames still refer to the entry's
  // cancellation signal.
  struct ConnectionFinished {
    std::shared_ptr<State> state;
    std::uint64_t id;
    void operator()(const std::exception_ptr&) {
      State& owner = *state;
      asio::post(owner.io, [keep_alive = std::move(state), finished_id = id] {
        keep_alive->open_connections.erase(finished_id);
      });
    }
  };

  State(asio::io_context& io_context, ServerOptions server_options, RequestHandler& request_handler)
      : io(io_context),
        options(std::move(server_options)),
        handler(request_handler),
        acceptor(open_acceptor(io_context, options)),
        port(acceptor.local_endpoint().port()) {}

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> self) {
    for (;;) {
      // No deadline here on purpose: waiting for clients is the listener's job; stop() ends
      // the wait by closing the acceptor.
      auto [error, socket] =
          co_await self->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (self->stopped) {
        co_return;
      }
      if (error) {
        asio::steady_timer pause(self->io, kAcceptRetryDelay);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      self->launch_connection(std::move(socket));
    }
  }

  void launch_connection(tcp::socket socket) {
    beast::error_code ignored;  // Nagle only delays; a socket that refuses it still works
    socket.set_option(tcp::no_delay(true), ignored);
    const std::uint64_t id = next_connection_id++;
    OpenConnection& entry = open_connections[id];
    const ConnectionLimits limits{options.idle_timeout, options.max_request_bytes};
    auto on_finished = asio::bind_cancellation_slot(entry.cancel.slot(),
                                                    ConnectionFinished{shared_from_this(), id});
    if (options.tls) {
      auto stream = std::make_shared<TlsStream>(std::move(socket), *options.tls);
      entry.transport =
          std::shared_ptr<beast::tcp_stream>(stream, &beast::get_lowest_layer(*stream));
      asio::co_spawn(io, serve_connection(std::move(stream), handler, limits),
                     std::move(on_finished));
    } else {
      auto stream = std::make_shared<PlainStream>(std::move(socket));
      entry.transport = stream;
      asio::co_spawn(io, serve_connection(std::move(stream), handler, limits),
                     std::move(on_finished));
    }
  }

  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    beast::error_code ignored;  // closing what may already be closed
    acceptor.close(ignored);
    for (auto& [id, connection] : open_connections) {
      if (auto transport = connection.transport.lock()) {
        transport->close();  // pending reads and writes finish with operation_aborted
      }
      connection.cancel.emit(asio::cancellation_type::terminal);
    }
  }

  asio::io_context& io;
  const ServerOptions options;
  RequestHandler& handler;
  tcp::acceptor acceptor;
  const unsigned short port;
  bool started = false;
  bool stopped = false;
  std::uint64_t next_connection_id = 0;
  // Node-based so an entry's cancellation signal never moves while its coroutine is bound to it.
  std::unordered_map<std::uint64_t, OpenConnection> open_connections;
};

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, RequestHandler& handler)
    : state_(std::make_shared<State>(io, std::move(options), handler)) {}

HttpServer::~HttpServer() {
  state_->stop();  // directly: the contract puts us on the io_context's thread or after run()
}

unsigned short HttpServer::port() const {
  return state_->port;
}

const ServerOptions& HttpServer::options() const {
  return state_->options;
}

void HttpServer::start() {
  if (state_->started || state_->stopped) {
    return;
  }
  state_->started = true;
  // The accept loop handles its own errors; anything escaping it is a bug worth surfacing
  // from io_context::run() rather than a server that silently stops accepting.
  asio::co_spawn(state_->io, State::accept_loop(state_), [](const std::exception_ptr& error) {
    if (error) {
      std::rethrow_exception(error);
    }
  });
}

void HttpServer::stop() {
  // Connections are only ever touched on the io_context's thread: from any other thread the
  // stop is posted there (and runs inline when we are on it already).
  asio::dispatch(state_->io, [state = state_] { state->stop(); });
}

}  // namespace insights::sim
