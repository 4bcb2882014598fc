#include "core/ca_file_check.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "core/configured_file.hpp"

namespace insights {
namespace {

// The system bundle is about 200 KB; anything near this is not a CA file.
constexpr std::size_t kMaxCaFileBytes = 16 * 1024 * 1024;

// OpenSSL's reason for the last failure on this thread ("no start line", "bad base64 decode"),
// and an empty queue afterwards.
std::string openssl_reason() {
  std::string reason;
  while (const unsigned long code = ERR_get_error()) {
    if (const char* text = ERR_reason_error_string(code))
      reason = text;
  }
  return reason;
}

}  // namespace

CaFileCheck check_ca_file(const std::string& path) {
  CaFileCheck check;
  check.shown = shown_path(path);
  const ConfiguredFile file = read_configured_file(path, kMaxCaFileBytes);
  if (!file.text) {
    check.problem = "cannot read ca_file " + check.shown + ": " + file.error;
    return check;
  }
  ERR_clear_error();
  const std::unique_ptr<BIO, decltype(&BIO_free)> input(
      BIO_new_mem_buf(file.text->data(), static_cast<int>(file.text->size())), BIO_free);
  // What X509_load_cert_crl_file (behind SSL_CTX_load_verify_locations) reads: every PEM block
  // of the file, one unreadable block failing the whole file.
  const std::unique_ptr<STACK_OF(X509_INFO), void (*)(STACK_OF(X509_INFO)*)> blocks(
      input ? PEM_X509_INFO_read_bio(input.get(), nullptr, nullptr, nullptr) : nullptr,
      [](STACK_OF(X509_INFO) * infos) { sk_X509_INFO_pop_free(infos, X509_INFO_free); });
  const std::string reason = openssl_reason();
  if (blocks) {
    for (int i = 0; i < sk_X509_INFO_num(blocks.get()); ++i) {
      if (sk_X509_INFO_value(blocks.get(), i)->x509 != nullptr)
        ++check.certificates;
    }
  }
  if (!blocks || check.certificates == 0) {
    check.problem = "ca_file " + check.shown + " holds no PEM certificate OpenSSL can load" +
                    (blocks || reason.empty() ? std::string() : " (" + reason + ")");
    check.certificates = 0;
  }
  return check;
}

}  // namespace insights
