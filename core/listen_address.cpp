#include "core/listen_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace insights {
namespace {

std::optional<unsigned short> port_of(std::string_view digits) {
  if (digits.empty() || digits.size() > 5 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int port = std::stoi(std::string(digits));
  if (port > 65535)
    return std::nullopt;
  return static_cast<unsigned short>(port);
}

bool is_ip(int family, const std::string& text) {
  unsigned char address[16];
  return inet_pton(family, text.c_str(), address) == 1;
}

// RFC 1123 host name: labels of letters, digits and '-', not starting or ending with '-'.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253)
    return false;
  std::size_t label = 0;
  char previous = '.';
  for (char c : name) {
    if (c == '.') {
      if (label == 0 || previous == '-')
        return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || (c == '-' && label > 0)) {
      if (++label > 63)
        return false;
    } else {
      return false;
    }
    previous = c;
  }
  return label > 0 && previous != '-';
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& problem) {
  const std::string_view examples =
      " (e.g. \"127.0.0.1:9464\", \"[::1]:9464\", \"localhost:9464\", or \":9464\" for every "
      "interface)";
  const std::size_t colon = text.rfind(':');
  const std::string_view host = colon == std::string_view::npos ? "" : text.substr(0, colon);
  const std::string_view port_text =
      colon == std::string_view::npos ? text : text.substr(colon + 1);
  const auto port = port_of(port_text);
  if (!port) {
    problem = "needs a port from 0 to 65535 after the last ':'";
    problem += examples;
    return std::nullopt;
  }
  if (host.empty())
    return ListenAddress{"", *port};
  // Named strings, not "..." + std::string(view) (GCC 12 rule 5, docs/development.md).
  const std::string name(host), port_string(port_text), hint(examples);
  if (name == "*" || name == "0") {
    problem = "\"" + name + "\" is not an address; for every interface write \":" + port_string +
              "\" (or \"[::]:" + port_string + "\")";
    return std::nullopt;
  }
  if (name.front() == '[') {
    const std::string inside = name.substr(1, name.size() - 2);
    if (name.back() != ']' || !is_ip(AF_INET6, inside)) {
      problem = "\"" + name + "\" is not an IPv6 address in brackets" + hint;
      return std::nullopt;
    }
    return ListenAddress{inside, *port};
  }
  if (name.find(':') != std::string::npos) {
    problem = "an IPv6 address goes in brackets: \"[" + name + "]:" + port_string + "\"";
    return std::nullopt;
  }
  if (is_ip(AF_INET, name) || is_host_name(name))
    return ListenAddress{name, *port};
  problem = "\"" + name + "\" is neither an IP address nor a host name" + hint;
  return std::nullopt;
}

}  // namespace insights
