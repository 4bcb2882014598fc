#include "sim/fault_plan.hpp"

#include <charconv>
#include <functional>
#include <map>

namespace insights::sim {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    if (end > start)
      parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

template <typename Number>
bool parse_number(const std::string& text, Number& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::vector<std::string> apply_fault_settings(FaultOptions& options, const std::string& settings) {
  using Setter = std::function<bool(const std::string&)>;
  auto rate = [](double& field) -> Setter {
    return [&field](const std::string& value) {
      double parsed = 0;
      if (!parse_number(value, parsed) || parsed < 0 || parsed > 1)
        return false;
      field = parsed;
      return true;
    };
  };
  auto count = [](int& field) -> Setter {
    return [&field](const std::string& value) {
      int parsed = 0;
      if (!parse_number(value, parsed) || parsed < 0)
        return false;
      field = parsed;
      return true;
    };
  };
  const std::map<std::string, Setter> setters = {
      {"concurrency_cap", count(options.concurrency_cap)},
      {"retry_after_fraction", rate(options.retry_after_fraction)},
      {"retry_after_seconds", count(options.retry_after_seconds)},
      {"server_error_rate", rate(options.server_error_rate)},
      {"latency_ms", count(options.latency_ms)},
      {"latency_jitter_ms", count(options.latency_jitter_ms)},
      {"spike_rate", rate(options.spike_rate)},
      {"spike_ms", count(options.spike_ms)},
      {"reset_rate", rate(options.reset_rate)},
      {"truncate_rate", rate(options.truncate_rate)},
      {"malformed_rate", rate(options.malformed_rate)},
  };
  std::vector<std::string> problems;
  for (const auto& setting : split(settings, '&')) {
    const std::size_t equals = setting.find('=');
    const std::string key = setting.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : setting.substr(equals + 1);
    const auto setter = setters.find(key);
    if (setter == setters.end()) {
      problems.push_back("unknown fault setting \"" + key + "\"");
    } else if (!setter->second(value)) {
      problems.push_back("bad value \"" + value + "\" for " + key +
                         " (rates are 0..1, counts are integers >= 0)");
    }
  }
  return problems;
}

std::string fault_options_json(const FaultOptions& o) {
  return "{\"concurrency_cap\":" + std::to_string(o.concurrency_cap) +
         ",\"retry_after_fraction\":" + std::to_string(o.retry_after_fraction) +
         ",\"retry_after_seconds\":" + std::to_string(o.retry_after_seconds) +
         ",\"server_error_rate\":" + std::to_string(o.server_error_rate) +
         ",\"latency_ms\":" + std::to_string(o.latency_ms) +
         ",\"latency_jitter_ms\":" + std::to_string(o.latency_jitter_ms) +
         ",\"spike_rate\":" + std::to_string(o.spike_rate) +
         ",\"spike_ms\":" + std::to_string(o.spike_ms) +
         ",\"reset_rate\":" + std::to_string(o.reset_rate) +
         ",\"truncate_rate\":" + std::to_string(o.truncate_rate) +
         ",\"malformed_rate\":" + std::to_string(o.malformed_rate) + "}";
}

std::uint64_t FaultDice::next() {  // splitmix64
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool FaultDice::roll(double probability) {
  if (probability <= 0)
    return false;
  return static_cast<double>(next() >> 11) * 0x1.0p-53 < probability;
}

int FaultDice::uniform(int low, int high) {
  if (high <= low)
    return low;
  return low + static_cast<int>(next() % static_cast<std::uint64_t>(high - low + 1));
}

}  // namespace insights::sim
