#pragma once
// One connection of HttpClient's pool: open it (resolve, TCP connect, TLS handshake with
// verification), exchange GET requests on it, tell whether it can still be reused.
// Internal to api/http_client.cpp; split out so the client file is about pooling and
// cancellation, this one about a single conversation with the server.
//
// Deadlines: every step is bounded by its HttpClientOptions timeout (beast::tcp_stream
// expires_after, a timer for name resolution).
// Errors: never thrown; a failed step is returned as a StepFailure (the raw error code and the
// step), which describe_failure() turns into the HttpTransportError the caller sees.
// Threading: all members on the connection's executor; abort() too.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/http_client.hpp"

namespace insights::detail {

enum class ExchangeStep { resolve, connect, tls_handshake, write, read_header, read_body };

struct StepFailure {
  ExchangeStep step = ExchangeStep::resolve;
  boost::beast::error_code error;
  std::string detail;          // e.g. the certificate verification result; may be ""
  bool certificate = false;    // the TLS handshake failed because the certificate did not verify
  bool name_mismatch = false;  // ... because it does not name the host we connected to
};

using GetRequest = boost::beast::http::request<boost::beast::http::empty_body>;
using GetResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct ExchangeOutcome {
  std::optional<StepFailure> failure;
  bool got_response_bytes = false;  // some of the response arrived (never resend then)
  bool reusable = false;            // complete response, and the server keeps the connection
  GetResponse response;             // valid when !failure
};

class ClientConnection {
 public:
  // `tls` null: plain HTTP. The context must outlive the connection.
  ClientConnection(boost::asio::any_io_executor executor,
                   std::shared_ptr<boost::asio::ssl::context> tls);

  // Resolves the host, connects and (https) completes a verified TLS handshake.
  boost::asio::awaitable<std::optional<StepFailure>> open(const HttpClientOptions& options);
  // Sends `request` and reads its whole response. `options` must outlive the await.
  boost::asio::awaitable<ExchangeOutcome> exchange(GetRequest request,
                                                   const HttpClientOptions& options);

  // True when the connection can carry another request: open, nothing unread, and the server
  // has not closed it meanwhile (checked with a non-blocking peek; never waits).
  bool still_usable();
  // Ends pending operations promptly (they complete with operation_aborted) and closes the
  // socket. The object stays valid until its coroutines unwound.
  void abort();

  std::chrono::steady_clock::time_point idle_since{};

 private:
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  boost::beast::tcp_stream& transport();
  boost::asio::awaitable<std::optional<StepFailure>> resolve(const HttpClientOptions& options);
  template <typename Stream>
  boost::asio::awaitable<ExchangeOutcome> exchange_on(Stream& stream, GetRequest request,
                                                      const HttpClientOptions& options);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::shared_ptr<boost::asio::ip::tcp::resolver> resolver_;  // shared with its timeout timer
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
  boost::beast::flat_buffer buffer_;  // bytes read past a response stay for the next one
  bool open_ = false;
};

// The HttpTransportError for a failed step, naming host:port and the step. `closing` says
// HttpClient::close() is in progress, which makes an aborted operation `cancelled`.
HttpTransportError describe_failure(const StepFailure& failure, const HttpClientOptions& options,
                                    bool closing);

}  // namespace insights::detail
