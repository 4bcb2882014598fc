#pragma once
// The forms of metrics.listen, checked without touching the network: what the config loader
// accepts is exactly what `run` can bind (daemon/listen_endpoints.hpp resolves and binds it).
//
//   "127.0.0.1:9464"   an IPv4 address
//   "[::1]:9464"       an IPv6 address, in brackets; "[::]:9464" is every interface
//   "localhost:9464"   a host name: `run` listens on every address it resolves to
//   ":9464", "9464"    every interface (IPv6 and IPv4)
// Port 0 asks for any free port (the log says which).

#include <optional>
#include <string>
#include <string_view>

namespace insights {

struct ListenAddress {
  std::string host;  // an IP address (no brackets) or a host name; empty = every interface
  unsigned short port = 0;
};

// The address, or nullopt with `problem` saying what is wrong and what to write instead.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& problem);

}  // namespace insights
