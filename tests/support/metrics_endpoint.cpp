#include "tests/support/metrics_endpoint.hpp"

#include <regex>

namespace insights::testing {

std::vector<MetricsEndpoint> metrics_endpoints(const std::string& log) {
  static const std::regex line(
      R"(metrics on http://(\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]+)/metrics)");
  std::vector<MetricsEndpoint> endpoints;
  for (auto match = std::sregex_iterator(log.begin(), log.end(), line);
       match != std::sregex_iterator(); ++match) {
    endpoints.push_back({(*match)[2].matched ? (*match)[2].str() : (*match)[3].str(),
                         static_cast<unsigned short>(std::stoi((*match)[4].str()))});
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
