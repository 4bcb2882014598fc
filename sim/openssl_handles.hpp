#pragma once
// Owning pointers for the OpenSSL objects the sim's TLS identity (and its tests) handle: each
// type is freed with its own OpenSSL function.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace insights::sim {

template <auto free_function>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* object) const {
    free_function(object);
  }
};

using PrivateKey = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using BigNumber = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using MemoryBio = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using CertificateStore = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using CertificateStoreContext =
    std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;

}  // namespace insights::sim
