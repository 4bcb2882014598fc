#pragma once
// Reading an HTTP Basic Authorization header.

#include <optional>
#include <string>
#include <string_view>

namespace insights::sim {

struct BasicCredentials {
  std::string username;
  std::string password;
};

// Decodes "Basic base64(user:password)"; nullopt when the header is missing or malformed.
std::optional<BasicCredentials> parse_basic_authorization(std::string_view header);

}  // namespace insights::sim
