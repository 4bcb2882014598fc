#include "tests/support/sync_config.hpp"

#include <fstream>
#include <stdexcept>

#include "tests/support/sim_credentials.hpp"

namespace insights::testing {

std::string SyncConfig::write(const std::string& path) const {
  std::string text;
  if (!database_url.empty())
    text += "[database]\nurl = \"" + database_url + "\"\n";
  text += "[metrics]\nlisten = \"" + metrics_listen + "\"\n";
  text += "[sync]\ninitial_lookback_hours = " + std::to_string(lookback_hours) + "\n";
  if (!instance_name.empty())
    text += "instance_name = \"" + instance_name + "\"\n";
  for (const auto& line : sync_lines)
    text += line + "\n";
  text += "[[source]]\nname = \"" + source_name + "\"\naccount_sid = \"" + kSimAccount + "\"\n";
  text += secret_file.empty() ? "secret_env = \"" + std::string(kSyncConfigSecretEnv) + "\"\n"
                              : "secret_file = \"" + secret_file + "\"\n";
  text += "api_url = \"" + api_url + "\"\n";
  if (!ca_file.empty())
    text += "ca_file = \"" + ca_file + "\"\n";
  for (const auto& line : source_lines)
    text += line + "\n";
  text += tail;
  std::ofstream out(path);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
  return path;
}

}  // namespace insights::testing
