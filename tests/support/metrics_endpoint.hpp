#pragma once
// The daemon's operator endpoint as a test finds it: the addresses its log says /metrics listens
// on ("metrics on http://127.0.0.1:PORT/metrics", one line per address), and a GET of a path there.

#include <string>
#include <vector>

#include "tests/support/http_test_client.hpp"

namespace insights::testing {

struct MetricsEndpoint {
  std::string host;  // as HttpTestClient takes it: "127.0.0.1", "::1"
  unsigned short port = 0;
};

// Every endpoint the log announced so far, in order.
std::vector<MetricsEndpoint> metrics_endpoints(const std::string& log);

// GET `path` (e.g. "/metrics") at `endpoint`; transport errors are in the result.
HttpResult get_from(const MetricsEndpoint& endpoint, const std::string& path);

}  // namespace insights::testing
