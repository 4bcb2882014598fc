#include "api/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <set>
#include <stdexcept>

#include "api/client_connection.hpp"
#include "api/tls_client_context.hpp"

namespace insights {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using detail::ClientConnection;
using detail::ExchangeOutcome;
using detail::GetRequest;

namespace {

void validate(const HttpClientOptions& options) {
  if (options.base.scheme != "https" && options.base.scheme != "http") {
    throw std::invalid_argument("HttpClient: base URL scheme must be https or http");
  }
  if (options.base.host.empty() || options.base.port == 0) {
    throw std::invalid_argument("HttpClient: base URL needs a host and a port");
  }
  if (options.max_connections == 0) {
    throw std::invalid_argument("HttpClient: max_connections must be at least 1");
  }
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

HttpTransportError cancelled_error(const HttpClientOptions& options) {
  return HttpTransportError(
      TransportFailure::cancelled,
      "request to " + options.base.authority() + " was cancelled: the HTTP client is closing");
}

HttpResponse to_response(detail::GetResponse&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

// Shared by the HttpClient and every get() coroutine, so a coroutine still unwinding after the
// client object is gone finds valid state.
struct HttpClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor_in, HttpClientOptions options_in)
      : executor(std::move(executor_in)),
        options((validate(options_in), std::move(options_in))),
        tls(options.base.tls() ? make_tls_client_context(options.ca_file) : nullptr),
        slot_freed(executor, asio::steady_timer::time_point::max()) {}

  // Returns a slot to the pool on every way out of get(), exceptions included.
  struct SlotRelease {
    Impl& impl;
    ~SlotRelease() {
      --impl.in_flight;
      impl.slot_freed.cancel_one();  // wakes one waiter, if any; it re-checks the count
    }
  };

  // Keeps a connection findable by close() while a get() uses it.
  struct BusyMark {
    Impl& impl;
    std::shared_ptr<ClientConnection> connection;
    ~BusyMark() { impl.busy.erase(connection); }
  };

  // Waits until fewer than max_connections requests are in flight, then takes a slot. The
  // waiters share one timer that never expires: a freed slot cancels one wait, close() all.
  asio::awaitable<void> acquire_slot() {
    while (!closing && in_flight >= options.max_connections) {
      co_await slot_freed.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (closing) {
      throw cancelled_error(options);
    }
    ++in_flight;
  }

  // The most recently used idle connection that is still good, or null. Stale ones close.
  std::shared_ptr<ClientConnection> take_idle() {
    const auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
      std::shared_ptr<ClientConnection> connection = std::move(idle.back());
      idle.pop_back();
      if (now - connection->idle_since <= options.max_idle && connection->still_usable()) {
        return connection;
      }
      connection->abort();
    }
    return nullptr;
  }

  GetRequest make_request(std::string target, const std::string& authorization) const {
    if (target.empty() || target.front() != '/' || has_line_break(target)) {
      throw std::invalid_argument("HttpClient: the target must be origin-form (\"/path?query\")");
    }
    if (has_line_break(authorization)) {
      // Never quote the value: it is a credential.
      throw std::invalid_argument("HttpClient: the Authorization value contains a line break");
    }
    GetRequest request{http::verb::get, target, 11};
    request.set(http::field::host, options.base.host_header());
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::accept, "application/json");
    if (!authorization.empty()) {
      request.set(http::field::authorization, authorization);
    }
    request.keep_alive(true);
    return request;
  }

  static asio::awaitable<HttpResponse> get(std::shared_ptr<Impl> self, std::string target,
                                           std::string authorization) {
    Impl& impl = *self;
    const GetRequest request = impl.make_request(std::move(target), authorization);
    co_await impl.acquire_slot();
    const SlotRelease release{impl};
    // At most two attempts: the second only after a reused connection failed before any
    // response byte (see the header comment).
    for (bool first_attempt = true;; first_attempt = false) {
      std::shared_ptr<ClientConnection> connection = first_attempt ? impl.take_idle() : nullptr;
      const bool reused = connection != nullptr;
      if (!reused) {
        connection = std::make_shared<ClientConnection>(impl.executor, impl.tls);
      }
      impl.busy.insert(connection);
      const BusyMark mark{impl, connection};
      if (!reused) {
        const auto failed = co_await connection->open(impl.options);
        if (failed || impl.closing) {
          connection->abort();
          throw failed ? detail::describe_failure(*failed, impl.options, impl.closing)
                       : cancelled_error(impl.options);
        }
        ++impl.statistics.connections_opened;
      }
      ++impl.statistics.requests_sent;
      ExchangeOutcome outcome = co_await connection->exchange(request, impl.options);
      if (!outcome.failure) {
        if (outcome.reusable && !impl.closing) {
          connection->idle_since = std::chrono::steady_clock::now();
          impl.idle.push_back(connection);
        } else {
          connection->abort();
        }
        co_return to_response(std::move(outcome.response));
      }
      connection->abort();  // its state is unknown after a failure: never reuse it
      HttpTransportError error =
          detail::describe_failure(*outcome.failure, impl.options, impl.closing);
      const bool stale = error.failure() == TransportFailure::reset ||
                         error.failure() == TransportFailure::closed_early;
      if (!(reused && stale && !outcome.got_response_bytes)) {
        throw error;
      }
      ++impl.statistics.stale_retries;
    }
  }

  void close_now() {
    closing = true;
    slot_freed.cancel();
    for (const auto& connection : idle) {
      connection->abort();
    }
    idle.clear();
    for (const auto& connection : busy) {
      connection->abort();  // their get() coroutines see operation_aborted and throw cancelled
    }
  }

  asio::any_io_executor executor;
  const HttpClientOptions options;
  const std::shared_ptr<asio::ssl::context> tls;  // null for http
  asio::steady_timer slot_freed;
  std::size_t in_flight = 0;
  bool closing = false;
  std::vector<std::shared_ptr<ClientConnection>> idle;  // most recently used last
  std::set<std::shared_ptr<ClientConnection>> busy;
  HttpClientStats statistics;
};

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

HttpClient::~HttpClient() {
  // Directly, not dispatched: the contract puts destruction after the coroutines finished, on
  // the executor's thread or with nobody running it.
  impl_->close_now();
}

asio::awaitable<HttpResponse> HttpClient::get(std::string target, std::string authorization) {
  return Impl::get(impl_, std::move(target), std::move(authorization));
}

void HttpClient::close() {
  asio::dispatch(impl_->executor, [impl = impl_] { impl->close_now(); });
}

const HttpClientOptions& HttpClient::options() const {
  return impl_->options;
}

HttpClientStats HttpClient::stats() const {
  return impl_->statistics;
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) {
      return value;
    }
  }
  return {};
}

}  // namespace insights
