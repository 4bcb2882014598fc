#pragma once
// The TLS client settings every HttpClient connection shares: TLS 1.2 or newer, peer
// verification on, and the trust anchors to verify against.
//
// Host-name checking and SNI are per connection (they depend on the host): see
// https_connection.hpp.
// Ownership: the caller shares the context with every stream made from it; it must outlive them.
// Errors: an unreadable or invalid CA file throws std::runtime_error naming the file.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace insights {

// `ca_file` empty: trust the system CA store (what talking to the real Twilio API needs).
// `ca_file` set: trust only the CAs in that PEM file (e.g. insights-sim's CA); the system store
// is not consulted, so a test proves the CA file is what made verification succeed.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(const std::string& ca_file);

}  // namespace insights
