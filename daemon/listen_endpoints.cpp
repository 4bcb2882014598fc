#include "daemon/listen_endpoints.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>

namespace insights {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::vector<tcp::endpoint> listen_endpoints(const ListenAddress& address) {
  if (address.host.empty()) {
    asio::io_context io;
    tcp::acceptor probe(io);
    boost::system::error_code no_ipv6;
    probe.open(tcp::v6(), no_ipv6);
    return {tcp::endpoint(no_ipv6 ? tcp::v4() : tcp::v6(), address.port)};
  }
  boost::system::error_code not_an_address;
  const auto ip = asio::ip::make_address(address.host, not_an_address);
  if (!not_an_address)
    return {tcp::endpoint(ip, address.port)};

  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code error;
  const auto results =
      resolver.resolve(address.host, std::to_string(address.port),
                       tcp::resolver::passive | tcp::resolver::address_configured, error);
  if (error || results.empty()) {
    throw ListenError("the host name \"" + address.host + "\" does not resolve (" +
                      (error ? error.message() : "no address") + "); write an IP address, or \":" +
                      std::to_string(address.port) + "\" for every interface");
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& result : results) {
    if (std::find(endpoints.begin(), endpoints.end(), result.endpoint()) == endpoints.end())
      endpoints.push_back(result.endpoint());
  }
  return endpoints;
}

void check_listen_addresses(const std::vector<tcp::endpoint>& endpoints) {
  asio::io_context io;
  for (const auto& endpoint : endpoints) {
    tcp::acceptor probe(io);
    boost::system::error_code error;
    probe.open(endpoint.protocol(), error);
    if (!error)
      probe.bind(tcp::endpoint(endpoint.address(), 0), error);
    if (error) {
      throw ListenError("cannot listen on " + endpoint.address().to_string() + " (" +
                        error.message() + "): is it an address of this host?");
    }
  }
}

std::string describe_endpoint(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
         std::to_string(endpoint.port());
}

}  // namespace insights
