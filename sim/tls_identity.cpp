#include "sim/tls_identity.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/buffer.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "sim/openssl_handles.hpp"

namespace insights::sim {
namespace {

constexpr long kBackdateSeconds = 60 * 60;  // tolerate clocks a little behind ours
constexpr int kValidityDays = 10 * 365;
constexpr long kDaySeconds = 24 * 60 * 60;
constexpr int kSerialBits = 159;  // positive and within the 20 bytes RFC 5280 allows

// Throws with the operation that failed and OpenSSL's reason, clearing its error queue.
[[noreturn]] void throw_openssl_error(std::string_view operation) {
  std::string message = "TLS identity: " + std::string(operation) + " failed";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

void check(int openssl_result, std::string_view operation) {
  if (openssl_result <= 0) {
    throw_openssl_error(operation);
  }
}

template <typename T>
T* check(T* openssl_object, std::string_view operation) {
  if (openssl_object == nullptr) {
    throw_openssl_error(operation);
  }
  return openssl_object;
}

PrivateKey make_p256_key() {
  return PrivateKey(check(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), "EC P-256 keygen"));
}

void set_common_name(X509_NAME* name, const std::string& common_name) {
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0),
        "X509_NAME_add_entry_by_txt");
}

void set_random_serial(X509* certificate) {
  BigNumber serial(check(BN_new(), "BN_new"));
  check(BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)), "BN_to_ASN1_INTEGER");
}

// A v3 certificate for `subject_key` named `common_name` with no extensions yet: valid from an
// hour ago for ~10 years, or (expired) from two days ago until one day ago.
Certificate make_certificate(EVP_PKEY* subject_key, const std::string& common_name,
                             ServerCertificateValidity validity) {
  Certificate certificate(check(X509_new(), "X509_new"));
  check(X509_set_version(certificate.get(), X509_VERSION_3), "X509_set_version");
  set_random_serial(certificate.get());
  const bool expired = validity == ServerCertificateValidity::expired;
  check(X509_gmtime_adj(X509_getm_notBefore(certificate.get()),
                        expired ? -2 * kDaySeconds : -kBackdateSeconds) != nullptr,
        "X509_gmtime_adj");
  check(X509_time_adj_ex(X509_getm_notAfter(certificate.get()), expired ? -1 : kValidityDays, 0,
                         nullptr) != nullptr,
        "X509_time_adj_ex");
  set_common_name(X509_get_subject_name(certificate.get()), common_name);
  check(X509_set_pubkey(certificate.get(), subject_key), "X509_set_pubkey");
  return certificate;
}

// Adds an extension written in openssl.cnf syntax; `issuer` and `subject` give the context that
// "hash" and "keyid" values need.
void add_extension(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, subject, nullptr, nullptr, 0);
  Extension extension(check(X509V3_EXT_conf_nid(nullptr, &context, nid, value), value));
  check(X509_add_ext(subject, extension.get(), -1), "X509_add_ext");
}

// Builds subjectAltName from typed entries rather than a config string, so a name can never be
// misread as syntax (a comma or colon in it).
void add_subject_alt_names(X509* certificate, const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses) {
  GeneralNames names(check(GENERAL_NAMES_new(), "GENERAL_NAMES_new"));
  auto append = [&](int type, ASN1_STRING* value) {
    GeneralName name(check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
    GENERAL_NAME_set0_value(name.get(), type, value);
    check(sk_GENERAL_NAME_push(names.get(), name.get()), "sk_GENERAL_NAME_push");
    name.release();  // now owned by `names`
  };
  for (const std::string& dns_name : dns_names) {
    ASN1_IA5STRING* value = check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new");
    if (ASN1_STRING_set(value, dns_name.data(), static_cast<int>(dns_name.size())) <= 0) {
      ASN1_IA5STRING_free(value);
      throw_openssl_error("ASN1_STRING_set");
    }
    append(GEN_DNS, value);
  }
  for (const std::string& ip_address : ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip_address.c_str());
    if (value == nullptr) {
      ERR_clear_error();
      throw std::runtime_error("TLS identity: not an IP address: '" + ip_address + "'");
    }
    append(GEN_IPADD, value);
  }
  check(X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
        "X509_add1_ext_i2d(subjectAltName)");
}

void sign(X509* certificate, EVP_PKEY* issuer_key) {
  // X509_sign returns the signature size, 0 on failure.
  check(X509_sign(certificate, issuer_key, EVP_sha256()), "X509_sign");
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  check(size > 0 && data != nullptr, "BIO_get_mem_data");
  return std::string(data, static_cast<std::size_t>(size));
}

std::string certificate_pem(X509* certificate) {
  MemoryBio bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
  check(PEM_write_bio_X509(bio.get(), certificate), "PEM_write_bio_X509");
  return bio_contents(bio.get());
}

std::string private_key_pem(EVP_PKEY* key) {
  MemoryBio bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "PEM_write_bio_PrivateKey");
  return bio_contents(bio.get());
}

}  // namespace

TlsIdentity make_tls_identity(const std::vector<std::string>& dns_names,
                              const std::vector<std::string>& ip_addresses,
                              ServerCertificateValidity validity) {
  PrivateKey ca_key = make_p256_key();
  Certificate ca =
      make_certificate(ca_key.get(), "insights-sim test CA", ServerCertificateValidity::current);
  check(X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())), "X509_set_issuer_name");
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  sign(ca.get(), ca_key.get());

  PrivateKey server_key = make_p256_key();
  const std::string server_name = dns_names.empty() ? "insights-sim" : dns_names.front();
  Certificate server = make_certificate(server_key.get(), server_name, validity);
  check(X509_set_issuer_name(server.get(), X509_get_subject_name(ca.get())),
        "X509_set_issuer_name");
  add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  // ECDSA keys sign the handshake; they never encipher keys, so digitalSignature alone.
  add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_extension(server.get(), ca.get(), NID_subject_key_identifier, "hash");
  add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  add_subject_alt_names(server.get(), dns_names, ip_addresses);
  sign(server.get(), ca_key.get());

  return TlsIdentity{
      .ca_certificate_pem = certificate_pem(ca.get()),
      .server_certificate_pem = certificate_pem(server.get()),
      .server_private_key_pem = private_key_pem(server_key.get()),
  };
}

void write_ca_file(const TlsIdentity& identity, const std::string& path) {
  // Write beside the target and rename over it, so a reader sees the old file or the new one,
  // never a partial one.
  const std::string temporary_path = path + ".tmp";
  {
    std::ofstream out(temporary_path, std::ios::binary | std::ios::trunc);
    out << identity.ca_certificate_pem;
    out.flush();
    if (!out) {
      std::remove(temporary_path.c_str());  // best effort; the error below is what matters
      throw std::runtime_error("TLS identity: cannot write " + temporary_path);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary_path, path, error);
  if (error) {
    std::remove(temporary_path.c_str());  // best effort, as above
    throw std::runtime_error("TLS identity: cannot rename " + temporary_path + " to " + path +
                             ": " + error.message());
  }
}

std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsIdentity& identity) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1);
  context->use_certificate_chain(boost::asio::buffer(identity.server_certificate_pem));
  context->use_private_key(boost::asio::buffer(identity.server_private_key_pem), ssl::context::pem);
  return context;
}

}  // namespace insights::sim
