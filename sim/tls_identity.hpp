#pragma once
// A throwaway certificate authority and server certificate for insights-sim's HTTPS, made
// with OpenSSL at start-up, so clients can verify the sim like the real service: they load
// the CA file and check the host name.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

namespace insights::sim {

struct TlsIdentity {
  std::string ca_certificate_pem;      // what a client loads as its CA file
  std::string server_certificate_pem;  // signed by the CA
  std::string server_private_key_pem;
};

// How long the server certificate is valid. `expired` is for tests that check a client refuses
// it: it ran out a day ago, while its CA is still valid, so expiry is the only thing wrong.
enum class ServerCertificateValidity { current, expired };

// Creates a new CA (EC P-256, valid ~10 years) and a server certificate whose subjectAltName
// lists `dns_names` and `ip_addresses` (e.g. {"localhost"}, {"127.0.0.1", "::1"}).
// Throws std::runtime_error with OpenSSL's reason on failure.
TlsIdentity make_tls_identity(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    ServerCertificateValidity validity = ServerCertificateValidity::current);

// Writes the CA certificate (PEM) to `path`, replacing the file atomically.
void write_ca_file(const TlsIdentity& identity, const std::string& path);

// A TLS 1.2+ server context using the identity's certificate and key.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsIdentity& identity);

}  // namespace insights::sim
