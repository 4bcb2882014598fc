#include "api/basic_auth.hpp"

#include <openssl/evp.h>

namespace insights {

std::string basic_authorization(std::string_view user, std::string_view secret) {
  std::string credentials;
  credentials.reserve(user.size() + 1 + secret.size());
  credentials.append(user).append(":").append(secret);
  // Base64 turns every 3 bytes into 4 characters; EVP_EncodeBlock adds a terminating NUL.
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "Basic " + encoded;
}

}  // namespace insights
