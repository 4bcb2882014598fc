#include "api/client_connection.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <type_traits>

namespace insights::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// Errors come back as values: most are expected outcomes the caller classifies.
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

// Beast reads at most the buffer's free space per read (at least 512 bytes): without room
// reserved, a 2 MB page would arrive 512 bytes and one system call at a time.
constexpr std::size_t kReadBufferBytes = 64 * 1024;

bool is_ip_address(const std::string& host) {
  beast::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// ssl::host_name_verification, remembering whether it was the name that failed: OpenSSL then
// only reports "unspecified certificate verification error", which helps nobody.
struct RecordingHostNameCheck {
  ssl::host_name_verification check;
  std::shared_ptr<bool> name_mismatch;
  bool operator()(bool preverified, ssl::verify_context& context) {
    const bool accepted = check(preverified, context);
    if (preverified && !accepted) {
      *name_mismatch = true;
    }
    return accepted;
  }
};

bool is_certificate_failure(const beast::error_code& error) {
  return error.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(error.value())) ==
             SSL_R_CERTIFICATE_VERIFY_FAILED;
}

StepFailure failed_at(ExchangeStep step, const beast::error_code& error) {
  StepFailure failure;
  failure.step = step;
  failure.error = error;
  return failure;
}

std::string describe_step(ExchangeStep step, const HttpClientOptions& options) {
  const std::string authority = options.base.authority();
  switch (step) {
    case ExchangeStep::resolve:
      return "resolving " + authority;
    case ExchangeStep::connect:
      return "connecting to " + authority;
    case ExchangeStep::tls_handshake:
      return "TLS handshake with " + authority;
    case ExchangeStep::write:
      return "sending the request to " + authority;
    case ExchangeStep::read_header:
      return "reading the response header from " + authority;
    case ExchangeStep::read_body:
      return "reading the response body from " + authority;
  }
  return authority;
}

std::chrono::milliseconds deadline_of(ExchangeStep step, const HttpClientOptions& options) {
  switch (step) {
    case ExchangeStep::resolve:
      return options.resolve_timeout;
    case ExchangeStep::connect:
      return options.connect_timeout;
    case ExchangeStep::tls_handshake:
      return options.tls_handshake_timeout;
    case ExchangeStep::write:
      return options.write_timeout;
    case ExchangeStep::read_header:
      return options.read_header_timeout;
    case ExchangeStep::read_body:
      return options.read_body_timeout;
  }
  return {};
}

// What went wrong while writing a request or reading a response.
TransportFailure classify_exchange_error(const beast::error_code& error) {
  if (error == http::error::body_limit) {
    return TransportFailure::body_too_large;
  }
  if (error == asio::error::connection_reset || error == asio::error::broken_pipe ||
      error == asio::error::connection_aborted) {
    return TransportFailure::reset;
  }
  if (error == http::error::end_of_stream || error == http::error::partial_message ||
      error == asio::error::eof || error == ssl::error::stream_truncated) {
    return TransportFailure::closed_early;
  }
  return TransportFailure::protocol;  // a malformed response, or a TLS record that won't decrypt
}

}  // namespace

ClientConnection::ClientConnection(asio::any_io_executor executor,
                                   std::shared_ptr<ssl::context> tls)
    : executor_(std::move(executor)), tls_context_(std::move(tls)) {
  buffer_.reserve(kReadBufferBytes);
  if (tls_context_) {
    tls_.emplace(executor_, *tls_context_);
  } else {
    plain_.emplace(executor_);
  }
}

beast::tcp_stream& ClientConnection::transport() {
  return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
}

asio::awaitable<std::optional<StepFailure>> ClientConnection::resolve(
    const HttpClientOptions& options) {
  resolver_ = std::make_shared<tcp::resolver>(executor_);
  // The resolver has no deadline of its own: a timer cancels it. The timer's handler owns the
  // resolver (shared), so it may run after this frame is gone without touching freed memory.
  asio::steady_timer deadline(executor_, options.resolve_timeout);
  auto timed_out = std::make_shared<bool>(false);
  deadline.async_wait([resolver = resolver_, timed_out](const beast::error_code& error) {
    if (!error) {
      *timed_out = true;
      resolver->cancel();
    }
  });
  auto [error, results] = co_await resolver_->async_resolve(
      options.base.host, std::to_string(options.base.port), as_result);
  deadline.cancel();
  if (*timed_out) {
    co_return std::optional<StepFailure>(failed_at(ExchangeStep::resolve, beast::error::timeout));
  }
  if (error) {
    co_return std::optional<StepFailure>(failed_at(ExchangeStep::resolve, error));
  }
  endpoints_ = std::move(results);
  co_return std::optional<StepFailure>();
}

asio::awaitable<std::optional<StepFailure>> ClientConnection::open(
    const HttpClientOptions& options) {
  // GCC 12 rules 1 and 2 (docs/development.md): no co_await inside an if's condition, and
  // every co_return below names the exact return type.
  std::optional<StepFailure> resolve_failure = co_await resolve(options);
  if (resolve_failure) {
    co_return resolve_failure;
  }
  transport().expires_after(options.connect_timeout);
  auto [connect_error, endpoint] = co_await transport().async_connect(endpoints_, as_result);
  if (connect_error) {
    co_return std::optional<StepFailure>(failed_at(ExchangeStep::connect, connect_error));
  }
  beast::error_code ignored;  // Nagle only adds latency; a socket refusing the option still works
  transport().socket().set_option(tcp::no_delay(true), ignored);
  if (tls_) {
    const std::string& host = options.base.host;
    if (!is_ip_address(host)) {
      // SNI: servers hosting several names pick the certificate by it. (SSL_ctrl spelled out:
      // the SSL_set_tlsext_host_name macro hides an old-style cast.)
      SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str()));
    }
    tls_->set_verify_mode(ssl::verify_peer);
    auto name_mismatch = std::make_shared<bool>(false);
    tls_->set_verify_callback(
        RecordingHostNameCheck{ssl::host_name_verification(host), name_mismatch});
    transport().expires_after(options.tls_handshake_timeout);
    auto [handshake_error] = co_await tls_->async_handshake(ssl::stream_base::client, as_result);
    if (handshake_error) {
      std::optional<StepFailure> handshake_failure =
          failed_at(ExchangeStep::tls_handshake, handshake_error);
      StepFailure& failure = *handshake_failure;
      failure.certificate = is_certificate_failure(handshake_error);
      if (*name_mismatch) {
        failure.detail = "the certificate does not name " + host;
        failure.name_mismatch = true;
      } else if (const long result = SSL_get_verify_result(tls_->native_handle());
                 result != X509_V_OK) {
        failure.detail = X509_verify_cert_error_string(result);
      }
      co_return handshake_failure;
    }
  }
  open_ = true;
  co_return std::optional<StepFailure>();
}

template <typename Stream>
asio::awaitable<ExchangeOutcome> ClientConnection::exchange_on(Stream& stream, GetRequest request,
                                                               const HttpClientOptions& options) {
  ExchangeOutcome outcome;
  transport().expires_after(options.write_timeout);
  auto [write_error, written] = co_await http::async_write(stream, request, as_result);
  if (write_error) {
    outcome.failure = failed_at(ExchangeStep::write, write_error);
    co_return outcome;
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  transport().expires_after(options.read_header_timeout);
  auto [header_error, header_bytes] =
      co_await http::async_read_header(stream, buffer_, parser, as_result);
  outcome.got_response_bytes = parser.got_some();
  if (header_error) {
    outcome.failure = failed_at(ExchangeStep::read_header, header_error);
    co_return outcome;
  }
  transport().expires_after(options.read_body_timeout);
  auto [body_error, body_bytes] = co_await http::async_read(stream, buffer_, parser, as_result);
  if (body_error) {
    outcome.failure = failed_at(ExchangeStep::read_body, body_error);
    co_return outcome;
  }
  transport().expires_never();  // idle in the pool: still_usable() decides, not a timer
  outcome.reusable = parser.get().keep_alive() && !parser.need_eof();
  outcome.response = parser.release();
  co_return outcome;
}

asio::awaitable<ExchangeOutcome> ClientConnection::exchange(GetRequest request,
                                                            const HttpClientOptions& options) {
  // An if, not `?:` with a co_await in each branch (GCC 12 rule 1, docs/development.md).
  ExchangeOutcome outcome;
  if (tls_) {
    outcome = co_await exchange_on(*tls_, std::move(request), options);
  } else {
    outcome = co_await exchange_on(*plain_, std::move(request), options);
  }
  if (!outcome.reusable) {
    open_ = false;
  }
  co_return outcome;
}

bool ClientConnection::still_usable() {
  if (!open_ || buffer_.size() != 0) {
    return false;  // unread bytes after a complete response: the stream is out of step
  }
  tcp::socket& socket = transport().socket();
  beast::error_code error;
  socket.non_blocking(true, error);
  if (error) {
    return false;
  }
  char byte = 0;
  const std::size_t peeked =
      socket.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, error);
  beast::error_code ignored;  // async operations do not depend on this flag; sync ones unused
  socket.non_blocking(false, ignored);
  // would_block: nothing to read, the server still holds the connection open. Anything else
  // (end of file, a reset, or bytes such as a TLS close_notify nobody asked for) means the
  // server is done with it.
  return peeked == 0 && error == asio::error::would_block;
}

void ClientConnection::abort() {
  if (resolver_) {
    resolver_->cancel();
  }
  beast::error_code ignored;  // closing what may already be closed
  transport().socket().cancel(ignored);
  transport().close();
  open_ = false;
}

HttpTransportError describe_failure(const StepFailure& failure, const HttpClientOptions& options,
                                    bool closing) {
  const std::string step = describe_step(failure.step, options);
  const beast::error_code& error = failure.error;
  if (closing || error == asio::error::operation_aborted) {
    return HttpTransportError(TransportFailure::cancelled,
                              step + " was cancelled: the HTTP client is closing");
  }
  if (error == beast::error::timeout) {
    return HttpTransportError(TransportFailure::timeout,
                              step + " timed out after " +
                                  std::to_string(deadline_of(failure.step, options).count()) +
                                  " ms");
  }
  const std::string reason = failure.detail.empty() ? error.message() : failure.detail;
  switch (failure.step) {
    case ExchangeStep::resolve:
      return HttpTransportError(TransportFailure::resolve, step + " failed: " + reason);
    case ExchangeStep::connect:
      return HttpTransportError(TransportFailure::connect, step + " failed: " + reason);
    case ExchangeStep::tls_handshake:
      if (failure.certificate) {
        return HttpTransportError(
            TransportFailure::certificate,
            step + " failed: certificate verify failed: " + reason +
                (failure.name_mismatch     ? " (check the base URL's host name)"
                 : options.ca_file.empty() ? " (checked against the system CA store)"
                                           : " (check ca_file \"" + options.ca_file + "\")"));
      }
      return HttpTransportError(TransportFailure::tls_handshake, step + " failed: " + reason);
    case ExchangeStep::write:
    case ExchangeStep::read_header:
    case ExchangeStep::read_body:
      break;
  }
  const TransportFailure kind = classify_exchange_error(error);
  if (kind == TransportFailure::body_too_large) {
    return HttpTransportError(kind, step + " failed: the body exceeds the limit of " +
                                        std::to_string(options.max_body_bytes) + " bytes");
  }
  return HttpTransportError(kind, step + " failed: " + reason);
}

}  // namespace insights::detail
