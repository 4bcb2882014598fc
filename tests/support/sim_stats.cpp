#include "tests/support/sim_stats.hpp"

#include <rapidjson/document.h>

#include <stdexcept>

namespace insights::testing {

SimStats parse_sim_stats(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("statuses") ||
      !document["statuses"].IsObject()) {
    throw std::runtime_error("insights-sim stats: unexpected body: " + body.substr(0, 200));
  }
  SimStats stats;
  for (const auto& member : document.GetObject()) {
    if (member.value.IsInt64())
      stats.counters[member.name.GetString()] = member.value.GetInt64();
  }
  for (const auto& status : document["statuses"].GetObject())
    stats.statuses[std::stoi(status.name.GetString())] = status.value.GetInt64();
  return stats;
}

long long SimStats::counter(const std::string& name) const {
  const auto found = counters.find(name);
  if (found == counters.end())
    throw std::runtime_error("insights-sim stats: no counter " + name);
  return found->second;
}

}  // namespace insights::testing
