#pragma once
// metrics.listen (core/listen_address.hpp) turned into the TCP endpoints `run` listens on, and
// the check `check-config` makes of them.
//
// Threading: blocking (name resolution); call before the event loop runs or off it.

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/listen_address.hpp"

namespace insights {

// The endpoint cannot be had: a host name that does not resolve, an address that is not this
// host's, a port in use. `run` stops before it reports ready (exit 5): a daemon nobody can watch
// must not look healthy. The message says what went wrong with which address; callers put the
// configured value before it (`metrics.listen "...": `).
class ListenError : public SyncError {
 public:
  explicit ListenError(const std::string& message)
      : SyncError(ErrorKind::stop_process, message, {}, kExitInUse) {}
};

// An IP address: itself. Every interface: [::] accepting IPv4 too, or 0.0.0.0 where this host
// has no IPv6. A host name: every address it resolves to. Throws ListenError when a name does
// not resolve.
std::vector<boost::asio::ip::tcp::endpoint> listen_endpoints(const ListenAddress& address);

// Checks that this host can listen on each endpoint's address (binds it to a free port and lets
// go, so a daemon already listening on the configured port does not fail the check). Throws
// ListenError naming the address.
void check_listen_addresses(const std::vector<boost::asio::ip::tcp::endpoint>& endpoints);

// "127.0.0.1:9464", "[::1]:9464".
std::string describe_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace insights
