#pragma once
// The configured API origin (scheme, host, port) and the check that keeps credentials on it.
//
// The daemon follows `meta.next_page_url` from API responses. Those URLs come from the network,
// so before a request carrying the source's Authorization header goes out, the URL must point at
// exactly the configured origin; anything else is refused, never fetched.
// Thread-safe: pure functions.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace insights {

struct BaseUrl {
  std::string scheme;       // "https" or "http", lower case
  std::string host;         // lower case; an IPv6 address without brackets
  unsigned short port = 0;  // never 0: the scheme's default port when the URL names none

  bool tls() const { return scheme == "https"; }
  // "host:port" as used in error messages (IPv6 in brackets).
  std::string authority() const;
  // The Host header value: the port only when it is not the scheme's default.
  std::string host_header() const;
};

// A base URL that cannot be used: the message says why and quotes the input.
class BadBaseUrl : public SyncError {
 public:
  explicit BadBaseUrl(const std::string& message)
      : SyncError(ErrorKind::stop_process, message, {}, kExitConfig) {}
};

// Parses "https://insights.twilio.com" (a trailing "/" is allowed). Throws BadBaseUrl for
// anything else: not an absolute URL, a scheme other than https/http, userinfo ("user@"),
// no host, port 0, or a path, query or fragment.
BaseUrl parse_base_url(std::string_view text);

// The origin-form request target ("/path?query", percent-encoding kept as given, fragment
// dropped) of `absolute_url` when its scheme, host (case-insensitive) and port (default ports
// normalised) equal `base`'s; nullopt otherwise, and also for unparsable URLs and URLs with
// userinfo.
std::optional<std::string> same_origin_target(const BaseUrl& base, std::string_view absolute_url);

}  // namespace insights
