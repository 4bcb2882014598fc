#include "tests/support/http_test_client.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>

namespace insights::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t kReadBufferBytes = 64 * 1024;  // Beast's largest single read

bool is_ip_address(const std::string& host) {
  beast::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// Failures while sending a request or reading its response.
TransportError classify_exchange_error(const beast::error_code& error) {
  static const auto& http_errors = http::make_error_code(http::error::bad_version).category();
  if (error == beast::error::timeout) {
    return TransportError::timeout;
  }
  if (error == asio::error::connection_reset || error == asio::error::broken_pipe ||
      error == asio::error::connection_aborted) {
    return TransportError::connection_reset;
  }
  if (error == http::error::end_of_stream || error == http::error::partial_message ||
      error == asio::error::eof || error == ssl::error::stream_truncated) {
    return TransportError::closed_early;
  }
  if (error.category() == http_errors) {
    return TransportError::bad_response;  // includes body_limit
  }
  return TransportError::other;
}

HttpResult failure(TransportError kind, std::string_view step, const beast::error_code& error) {
  HttpResult result;
  result.transport = kind;
  result.error = std::string(step) + ": " + error.message();
  return result;
}

}  // namespace

struct HttpTestClient::Impl {
  explicit Impl(HttpClientOptions client_options) : options(std::move(client_options)) {
    // Beast reads at most the buffer's free capacity (at least 512 bytes) per read: without
    // room, a 2 MB body would arrive 512 bytes and one system call at a time.
    buffer.reserve(kReadBufferBytes);
    if (options.verify_host.empty()) {
      options.verify_host = options.host;
    }
    if (options.tls) {
      if (options.ca_file.empty()) {
        throw std::runtime_error("HttpTestClient: tls needs a ca_file");
      }
      tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
      tls_context->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                               ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      tls_context->load_verify_file(options.ca_file);  // throws system_error when unreadable
    }
  }

  // Runs the private io_context until the operation `start` begins has completed; returns its
  // error. The tcp_stream's deadline bounds how long that takes.
  template <typename Start>
  beast::error_code run(Start start) {
    beast::error_code result;
    start([&result](const beast::error_code& error, auto&&...) { result = error; });
    io.restart();
    io.run();
    return result;
  }

  beast::tcp_stream& transport() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  bool connected() const { return plain || secure; }

  void disconnect() {
    beast::error_code ignored;  // the peer may have closed first; we only drop our end
    if (connected()) {
      transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
      transport().close();
    }
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  // Opens a connection (and completes the TLS handshake); on failure returns the result to
  // report and stays disconnected.
  std::optional<HttpResult> connect() {
    tcp::resolver resolver(io);
    beast::error_code error;
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port), error);
    if (error) {
      return failure(TransportError::connect_failed, "resolve " + options.host, error);
    }
    auto stream = std::make_unique<beast::tcp_stream>(io);
    stream->expires_after(options.timeout);
    error = run([&](auto handler) { stream->async_connect(endpoints, std::move(handler)); });
    if (error) {
      return failure(
          error == beast::error::timeout ? TransportError::timeout : TransportError::connect_failed,
          "connect", error);
    }
    ++opened;
    stream->socket().set_option(tcp::no_delay(true), error);  // latency only; ignore failure
    if (!options.tls) {
      plain = std::move(stream);
      return std::nullopt;
    }

    auto tls = std::make_unique<TlsStream>(std::move(*stream), *tls_context);
    if (!is_ip_address(options.verify_host)) {
      // SNI, as a real client sends it (the macro hides a cast, hence SSL_ctrl spelled out).
      SSL_ctrl(tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(options.verify_host.c_str()));
    }
    tls->set_verify_mode(ssl::verify_peer);
    tls->set_verify_callback(ssl::host_name_verification(options.verify_host));
    beast::get_lowest_layer(*tls).expires_after(options.timeout);
    error = run(
        [&](auto handler) { tls->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (error) {
      return failure(
          error == beast::error::timeout ? TransportError::timeout : TransportError::tls_failed,
          "TLS handshake", error);
    }
    secure = std::move(tls);
    return std::nullopt;
  }

  http::request<http::string_body> make_message(const HttpTestRequest& request) const {
    http::request<http::string_body> message;
    message.version(11);
    message.method_string(request.method);
    message.target(request.target);
    const bool default_port = options.port == (options.tls ? 443 : 80);
    message.set(http::field::host, default_port
                                       ? options.verify_host
                                       : options.verify_host + ":" + std::to_string(options.port));
    message.set(http::field::user_agent, "insights-sync-tests");
    if (!request.authorization.empty()) {
      message.set(http::field::authorization, request.authorization);
    }
    for (const auto& [name, value] : request.headers) {
      message.insert(name, value);
    }
    message.body() = request.body;
    message.keep_alive(request.keep_alive);
    message.prepare_payload();
    return message;
  }

  template <typename Stream>
  HttpResult exchange(Stream& stream, const http::request<http::string_body>& message) {
    transport().expires_after(options.timeout);
    beast::error_code error =
        run([&](auto handler) { http::async_write(stream, message, std::move(handler)); });
    if (error) {
      return failure(classify_exchange_error(error), "write request", error);
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_body_bytes);
    transport().expires_after(options.timeout);
    error =
        run([&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    HttpResult result;
    if (error) {
      result = failure(classify_exchange_error(error), "read response", error);
      result.got_partial_response = parser.got_some();
      if (!parser.is_header_done()) {
        return result;
      }
    }
    // Complete, or cut short after the header: report what arrived either way.
    http::response<http::string_body>& response = parser.get();
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    result.body = std::move(response.body());
    if (result.ok() && !response.keep_alive()) {
      disconnect();
    }
    return result;
  }

  HttpResult send(const HttpTestRequest& request) {
    const bool reused = connected();
    if (!reused) {
      if (auto failed = connect()) {
        disconnect();
        return *failed;
      }
    }
    const auto message = make_message(request);
    HttpResult result = secure ? exchange(*secure, message) : exchange(*plain, message);
    result.reused_connection = reused;
    if (!result.ok()) {
      disconnect();  // the connection's state is unknown; never reuse it
    }
    return result;
  }

  HttpClientOptions options;
  asio::io_context io;
  std::unique_ptr<ssl::context> tls_context;
  // At most one of these is set: the open connection.
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> secure;
  beast::flat_buffer buffer;  // bytes read past the last response stay for the next one
  int opened = 0;
};

HttpTestClient::HttpTestClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpTestClient::~HttpTestClient() {
  impl_->disconnect();
}

HttpResult HttpTestClient::send(const HttpTestRequest& request) {
  return impl_->send(request);
}

HttpResult HttpTestClient::get(std::string target, std::string authorization) {
  HttpTestRequest request;
  request.target = std::move(target);
  request.authorization = std::move(authorization);
  return impl_->send(request);
}

void HttpTestClient::disconnect() {
  impl_->disconnect();
}

bool HttpTestClient::connected() const {
  return impl_->connected();
}

int HttpTestClient::connections_opened() const {
  return impl_->opened;
}

std::string HttpResult::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) {
      return value;
    }
  }
  return "";
}

const char* to_string(TransportError error) {
  switch (error) {
    case TransportError::none:
      return "none";
    case TransportError::connect_failed:
      return "connect_failed";
    case TransportError::tls_failed:
      return "tls_failed";
    case TransportError::timeout:
      return "timeout";
    case TransportError::connection_reset:
      return "connection_reset";
    case TransportError::closed_early:
      return "closed_early";
    case TransportError::bad_response:
      return "bad_response";
    case TransportError::other:
      return "other";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, TransportError error) {
  return out << to_string(error);
}

std::string basic_auth(std::string_view user, std::string_view password) {
  const std::string credentials = std::string(user) + ":" + std::string(password);
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');  // + EVP's terminating NUL
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "Basic " + encoded;
}

}  // namespace insights::testing
