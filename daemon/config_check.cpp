#include "daemon/config_check.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "api/url_guard.hpp"
#include "core/ca_file_check.hpp"
#include "core/exit_codes.hpp"
#include "core/listen_address.hpp"
#include "core/source_label.hpp"
#include "core/source_secret.hpp"
#include "daemon/check_line.hpp"
#include "daemon/command_support.hpp"
#include "daemon/database_check.hpp"
#include "daemon/listen_endpoints.hpp"
#include "daemon/source_probe.hpp"

namespace insights {
namespace {

// What a source's line says once its settings check out.
struct SourceSettings {
  std::string label;
  std::string summary;  // "secret from secret_env X; API https://..., trusting the system CAs"
};

// The checks of every source that need no network; problems go to `problems`.
std::vector<SourceSettings> check_source_settings(const AppConfig& config,
                                                  const std::vector<SourceSecret>& secrets,
                                                  std::vector<std::string>& problems) {
  std::vector<SourceSettings> settings;
  for (std::size_t i = 0; i < config.sources.size(); ++i) {
    const SourceOptions& source = config.sources[i];
    SourceSettings line{.label = source_label(i + 1, source.name), .summary = ""};
    if (i < secrets.size())
      line.summary = "secret from " + secrets[i].origin + "; ";
    line.summary += "API " + source.api_url;
    try {
      parse_base_url(source.api_url);
    } catch (const BadBaseUrl& error) {
      // (User information is refused by the loader before this, so the quoted URL holds none.)
      problems.push_back(line.label + ": api_url cannot be used: " + error.what());
    }
    if (source.ca_file) {
      const CaFileCheck ca = check_ca_file(*source.ca_file);
      if (ca.problem) {
        problems.push_back(line.label + ": " + *ca.problem);
      } else {
        line.summary += ", trusting only the " + std::to_string(ca.certificates) +
                        (ca.certificates == 1 ? " certificate" : " certificates") + " in ca_file " +
                        ca.shown;
      }
    } else {
      line.summary += ", trusting the system CAs";
    }
    settings.push_back(std::move(line));
  }
  return settings;
}

// metrics.listen beyond its form, which the loader checked: a host name resolves, and each of
// its addresses is this host's (bound to a free port and let go, so a running daemon on the
// configured port does not fail the check).
std::string check_metrics_listen(const MetricsOptions& metrics,
                                 std::vector<std::string>& problems) {
  if (metrics.listen.empty())
    return "metrics: off (metrics.listen = \"\")";
  const std::string setting = "metrics.listen \"" + metrics.listen + "\": ";
  std::string problem;
  const std::optional<ListenAddress> address = parse_listen_address(metrics.listen, problem);
  if (!address) {
    problems.push_back(setting + problem);
    return "";
  }
  try {
    const auto endpoints = listen_endpoints(*address);
    check_listen_addresses(endpoints);
    std::string shown;
    for (const auto& endpoint : endpoints)
      shown += (shown.empty() ? "" : ", ") + describe_endpoint(endpoint);
    return "metrics: `run` serves /metrics, /healthz and /readyz on " + shown;
  } catch (const ListenError& error) {
    problems.push_back(setting + error.what());
    return "";
  }
}

void print(std::ostream& out, const CheckLine& line) {
  out << line.subject << ": " << line.text << "\n";
}

std::vector<CheckLine> probe_sources(const AppConfig& config,
                                     const std::vector<SourceSecret>& secrets) {
  const UtcSeconds now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::vector<CheckLine> lines;
  for (std::size_t i = 0; i < config.sources.size(); ++i) {
    const SourceOptions& source = config.sources[i];
    const SourceProbe probe = probe_source(source, secrets.at(i).value, now);
    lines.push_back(CheckLine{.subject = source_label(i + 1, source.name),
                              .verdict = probe.usable ? CheckVerdict::passed : CheckVerdict::failed,
                              .text = "API at " + source.api_url + ": " + probe.verdict,
                              .exit_code = probe.usable ? kExitOk : kExitSourceRefused});
  }
  return lines;
}

}  // namespace

int check_configuration(const Command& command, const AppConfig& config,
                        const std::string& conninfo, const std::string& database_origin,
                        std::ostream& out) {
  std::vector<std::string> problems;
  std::vector<SourceSecret> secrets;
  try {
    secrets = load_secrets(command, config);
  } catch (const ConfigError& error) {
    problems = error.problems();
  }
  const std::vector<SourceSettings> settings = check_source_settings(config, secrets, problems);
  const std::string metrics = check_metrics_listen(config.metrics, problems);
  if (!problems.empty())
    throw ConfigError(command.config_path.value_or("configuration"), problems);
  if (const auto warning = retention_warning(config.retention))
    spdlog::warn("{}", *warning);

  out << "configuration is valid: " << config.sources.size() << " source"
      << (config.sources.size() == 1 ? "" : "s") << ", database from " << database_origin << "\n";
  for (const auto& source : settings)
    out << source.label << ": " << source.summary << "\n";
  out << metrics << "\n";
  if (!command.connect) {
    out << "not checked: the database (connection, schema version, the role's privileges) and "
           "each source's API (credentials, certificate); check-config --connect checks them\n";
    out.flush();
    return kExitOk;
  }

  std::vector<CheckLine> lines =
      check_database(conninfo, database_origin, config.retention.enabled());
  for (auto& line : probe_sources(config, secrets))
    lines.push_back(std::move(line));
  int exit_code = kExitOk;
  std::vector<std::string> failures;
  for (const auto& line : lines) {
    print(out, line);
    if (line.verdict == CheckVerdict::failed) {
      failures.push_back(line.subject);
      if (exit_code == kExitOk)
        exit_code = line.exit_code;
    }
  }
  if (failures.empty()) {
    out << "every check passed\n";
  } else {
    std::string names;
    for (const auto& name : failures)
      names += (names.empty() ? "" : ", ") + name;
    out << failures.size() << " check" << (failures.size() == 1 ? "" : "s") << " failed: " << names
        << "; exit status " << exit_code << "\n";
  }
  out.flush();
  return exit_code;
}

}  // namespace insights
