#include "sim/tls_identity.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/openssl_handles.hpp"

namespace insights::sim {
namespace {

using Store = CertificateStore;
using StoreContext = CertificateStoreContext;
using Bio = MemoryBio;

Bio memory_bio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Certificate parse_certificate(const std::string& pem) {
  Bio bio = memory_bio(pem);
  return Certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PrivateKey parse_private_key(const std::string& pem) {
  Bio bio = memory_bio(pem);
  return PrivateKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// X509_V_OK when `certificate` chains to `ca` (with all of OpenSSL's checks, at the current time).
int verify_against(X509* certificate, X509* ca) {
  Store store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  StoreContext context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), certificate, nullptr);
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_SERVER);
  X509_verify_cert(context.get());
  return X509_STORE_CTX_get_error(context.get());
}

// Seconds from now until `time` (negative when it is in the past).
long seconds_from_now(const ASN1_TIME* time) {
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, time);
  return days * 86'400L + seconds;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

class TlsIdentityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    identity_ = new TlsIdentity(make_tls_identity({"localhost", "sim.test"}, {"127.0.0.1", "::1"}));
  }
  static void TearDownTestSuite() {
    delete identity_;
    identity_ = nullptr;
  }
  static const TlsIdentity& identity() { return *identity_; }

 private:
  static TlsIdentity* identity_;
};

TlsIdentity* TlsIdentityTest::identity_ = nullptr;

TEST_F(TlsIdentityTest, ProducesPemCertificatesAndKey) {
  EXPECT_TRUE(identity().ca_certificate_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(identity().server_certificate_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(identity().server_private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_NE(parse_certificate(identity().ca_certificate_pem), nullptr);
  EXPECT_NE(parse_certificate(identity().server_certificate_pem), nullptr);
  EXPECT_NE(parse_private_key(identity().server_private_key_pem), nullptr);
}

TEST_F(TlsIdentityTest, CaIsACertificateAuthority) {
  const Certificate ca = parse_certificate(identity().ca_certificate_pem);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);  // basicConstraints CA:TRUE with keyCertSign

  int critical = -1;
  auto* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(ca.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(constraints, nullptr);
  EXPECT_NE(constraints->ca, 0);
  EXPECT_EQ(critical, 1);
  BASIC_CONSTRAINTS_free(constraints);

  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK);  // self-signed
}

TEST_F(TlsIdentityTest, ServerCertificateChainsToTheCaAndNamesTheHosts) {
  const Certificate ca = parse_certificate(identity().ca_certificate_pem);
  const Certificate server = parse_certificate(identity().server_certificate_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);

  EXPECT_EQ(verify_against(server.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(server.get(), "sim.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(server.get(), "example.com", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "10.0.0.1", 0), 0);
  EXPECT_NE(X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER, 0u);
}

TEST_F(TlsIdentityTest, ServerKeyIsP256AndMatchesTheCertificate) {
  const Certificate server = parse_certificate(identity().server_certificate_pem);
  const PrivateKey key = parse_private_key(identity().server_private_key_pem);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(server.get(), key.get()), 1);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  char curve[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), curve, sizeof curve, nullptr), 1);
  EXPECT_STREQ(curve, "prime256v1");
}

TEST_F(TlsIdentityTest, ValidFromAnHourAgoForAboutTenYears) {
  for (const std::string* pem :
       {&identity().ca_certificate_pem, &identity().server_certificate_pem}) {
    const Certificate certificate = parse_certificate(*pem);
    ASSERT_NE(certificate, nullptr);
    EXPECT_NEAR(seconds_from_now(X509_get0_notBefore(certificate.get())), -3600, 60);
    EXPECT_GT(seconds_from_now(X509_get0_notAfter(certificate.get())), 9L * 365 * 86'400);
  }
}

TEST_F(TlsIdentityTest, EveryIdentityIsNew) {
  const TlsIdentity other = make_tls_identity({"localhost"}, {});
  EXPECT_NE(other.ca_certificate_pem, identity().ca_certificate_pem);
  EXPECT_NE(other.server_private_key_pem, identity().server_private_key_pem);
  const Certificate ours = parse_certificate(identity().ca_certificate_pem);
  const Certificate theirs = parse_certificate(other.ca_certificate_pem);
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(ours.get()), X509_get0_serialNumber(theirs.get())),
      0);
  const Certificate server = parse_certificate(other.server_certificate_pem);
  EXPECT_NE(verify_against(server.get(), ours.get()), X509_V_OK);
}

TEST(TlsIdentity, RejectsAnInvalidIpAddress) {
  EXPECT_THROW(make_tls_identity({"localhost"}, {"not-an-ip"}), std::runtime_error);
}

TEST_F(TlsIdentityTest, WriteCaFileReplacesTheFileAndLeavesNoTemporary) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      ("insights-tls-identity-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "ca.pem").string();
  std::ofstream(path) << "old contents";

  write_ca_file(identity(), path);
  EXPECT_EQ(read_file(path), identity().ca_certificate_pem);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  EXPECT_THROW(write_ca_file(identity(), (directory / "missing" / "ca.pem").string()),
               std::runtime_error);
  std::filesystem::remove_all(directory);
}

TEST_F(TlsIdentityTest, ServerContextRefusesTlsOlderThan12) {
  const auto context = make_server_tls_context(identity());
  ASSERT_NE(context, nullptr);
  const uint64_t options = SSL_CTX_get_options(context->native_handle());
  EXPECT_NE(options & SSL_OP_NO_TLSv1, 0u);
  EXPECT_NE(options & SSL_OP_NO_TLSv1_1, 0u);
  EXPECT_NE(SSL_CTX_get0_certificate(context->native_handle()), nullptr);
  EXPECT_EQ(SSL_CTX_check_private_key(context->native_handle()), 1);
}

TEST(TlsIdentity, ServerContextRejectsAMismatchedKey) {
  TlsIdentity mixed = make_tls_identity({"localhost"}, {});
  mixed.server_private_key_pem = make_tls_identity({"localhost"}, {}).server_private_key_pem;
  EXPECT_THROW(make_server_tls_context(mixed), std::exception);
}

}  // namespace
}  // namespace insights::sim
