#include "api/url_guard.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace insights {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

unsigned short default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

bool is_ipv6(std::string_view host) {
  return host.find(':') != std::string_view::npos;
}

// Scheme, host and port of a parsed URL, normalised for comparison; nullopt when the URL is not
// something we would ever send a request to.
struct Origin {
  std::string scheme;
  std::string host;
  unsigned port = 0;  // unsigned, not unsigned short: "https://h:70000" must not wrap around
};

std::optional<Origin> origin_of(const boost::urls::url_view& url) {
  Origin origin{lower(url.scheme()), lower(url.host_address()), 0};
  if (origin.scheme != "https" && origin.scheme != "http") {
    return std::nullopt;
  }
  if (url.has_port() && !url.port().empty()) {
    origin.port = url.port_number();
    if (origin.port == 0) {  // Boost.URL reports 0 for a port it cannot represent
      return std::nullopt;
    }
  } else {
    origin.port = default_port(origin.scheme);
  }
  return origin;
}

}  // namespace

std::string BaseUrl::authority() const {
  const std::string bracketed = is_ipv6(host) ? "[" + host + "]" : host;
  return bracketed + ":" + std::to_string(port);
}

std::string BaseUrl::host_header() const {
  const std::string bracketed = is_ipv6(host) ? "[" + host + "]" : host;
  return port == default_port(scheme) ? bracketed : bracketed + ":" + std::to_string(port);
}

BaseUrl parse_base_url(std::string_view text) {
  // Appended, not `"\"" + std::string(text)` (GCC 12 rule 5, docs/development.md).
  std::string quoted = "\"";
  quoted.append(text).append("\"");
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    throw BadBaseUrl("base URL " + quoted + " is not an absolute URL (" + parsed.error().message() +
                     ")");
  }
  const boost::urls::url_view url = *parsed;
  if (url.has_userinfo()) {
    // Credentials belong in the secret settings, never in a URL that ends up in logs.
    throw BadBaseUrl("base URL " + quoted + " must not contain user information (\"user@\")");
  }
  const std::string scheme = lower(url.scheme());
  if (scheme != "https" && scheme != "http") {
    throw BadBaseUrl("base URL " + quoted + " must use https or http");
  }
  if (url.host_address().empty()) {
    throw BadBaseUrl("base URL " + quoted + " has no host");
  }
  if (url.has_port() && (url.port().empty() || url.port_number() == 0)) {
    throw BadBaseUrl("base URL " + quoted + " has an invalid port");
  }
  if (!url.encoded_path().empty() && url.encoded_path() != "/") {
    throw BadBaseUrl("base URL " + quoted + " must not have a path (requests add their own)");
  }
  if (url.has_query() || url.has_fragment()) {
    throw BadBaseUrl("base URL " + quoted + " must not have a query or fragment");
  }
  const auto origin = origin_of(url);
  return BaseUrl{origin->scheme, origin->host, static_cast<unsigned short>(origin->port)};
}

std::optional<std::string> same_origin_target(const BaseUrl& base, std::string_view absolute_url) {
  const auto parsed = boost::urls::parse_uri(absolute_url);  // absolute, fragment allowed
  if (!parsed) {
    return std::nullopt;
  }
  const boost::urls::url_view url = *parsed;
  if (url.has_userinfo()) {
    return std::nullopt;  // "https://api.host@evil.example/" tricks a reader, so refuse it
  }
  const auto origin = origin_of(url);
  if (!origin || origin->scheme != base.scheme || origin->host != base.host ||
      origin->port != base.port) {
    return std::nullopt;
  }
  std::string target = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
  if (url.has_query()) {
    target += "?";
    target += url.encoded_query();
  }
  return target;
}

}  // namespace insights
