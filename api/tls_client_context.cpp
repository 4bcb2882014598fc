#include "api/tls_client_context.hpp"

#include <openssl/ssl.h>

#include <boost/system/system_error.hpp>
#include <stdexcept>

namespace insights {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_client_context(const std::string& ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // The option flags above only switch off what OpenSSL knows today; the minimum version also
  // covers protocols it may add or re-enable by configuration.
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("TLS: cannot require TLS 1.2 or newer");
  }
  context->set_verify_mode(ssl::verify_peer);
  try {
    if (ca_file.empty()) {
      context->set_default_verify_paths();
    } else {
      context->load_verify_file(ca_file);
    }
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(ca_file.empty()
                                 ? "TLS: cannot load the system CA store: " + error.code().message()
                                 : "TLS: cannot load ca_file \"" + ca_file +
                                       "\": " + error.code().message());
  }
  return context;
}

}  // namespace insights
