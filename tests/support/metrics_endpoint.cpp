#include "tests/support/metrics_endpoint.hpp"

namespace insights::testing {

std::vector<MetricsEndpoint> metrics_endpoints(const std::string& log) {
  const std::string marker = "metrics on http://";
  std::vector<MetricsEndpoint> endpoints;
  for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1)) {
    // "127.0.0.1:9464/metrics" or "[::1]:9464/metrics"
    const std::string rest =
        log.substr(at + marker.size(), log.find("/metrics", at) - at - marker.size());
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos)
      continue;
    std::string host = rest.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']'))
      host = host.substr(1, host.size() - 2);
    endpoints.push_back({host, static_cast<unsigned short>(std::stoi(rest.substr(colon + 1)))});
  }
  return endpoints;
}

HttpResult get_from(const MetricsEndpoint& endpoint, const std::string& path) {
  HttpClientOptions options;
  options.host = endpoint.host;
  options.port = endpoint.port;
  HttpTestClient client(options);
  return client.get(path);
}

}  // namespace insights::testing
