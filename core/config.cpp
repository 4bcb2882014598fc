#include "core/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace insights {
namespace {

std::string join_problems(const std::string& origin, const std::vector<std::string>& problems) {
  std::string message = origin + ": " + std::to_string(problems.size()) + " problem" +
                        (problems.size() == 1 ? "" : "s") + " in the configuration";
  for (const auto& problem : problems)
    message += "\n  - " + problem;
  return message;
}

const std::set<std::string, std::less<>> kLogLevels = {"trace", "debug",    "info", "warn",
                                                       "error", "critical", "off"};

// Reads one table's keys into the options, recording every problem instead of stopping.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::vector<std::string>& problems)
      : table_(table), prefix_(std::move(prefix)), problems_(problems) {}

  std::optional<std::string> string(std::string_view key) {
    known_.insert(std::string(key));
    const toml::node* node = table_.get(key);
    if (node == nullptr)
      return std::nullopt;
    if (const auto* value = node->as_string())
      return value->get();
    problems_.push_back(path(key) + " must be a string");
    return std::nullopt;
  }

  // Reports keys the caller never asked for: typos must not be silently ignored.
  void reject_unknown_keys() {
    for (const auto& [key, node] : table_) {
      if (!known_.contains(std::string(key.str()))) {
        problems_.push_back("unknown key " + path(key.str()));
      }
    }
  }

 private:
  std::string path(std::string_view key) const { return prefix_ + std::string(key); }

  const toml::table& table_;
  std::string prefix_;
  std::vector<std::string>& problems_;
  std::set<std::string, std::less<>> known_;
};

void read_database(const toml::table& table, AppConfig& config,
                   std::vector<std::string>& problems) {
  TableReader reader(table, "database.", problems);
  config.database.url = reader.string("url");
  reader.reject_unknown_keys();
}

void read_log(const toml::table& table, AppConfig& config, std::vector<std::string>& problems) {
  TableReader reader(table, "log.", problems);
  if (auto level = reader.string("level")) {
    if (kLogLevels.contains(*level)) {
      config.log.level = *level;
    } else {
      problems.push_back(
          "log.level must be one of trace, debug, info, warn, error, critical, "
          "off; got \"" +
          *level + "\"");
    }
  }
  reader.reject_unknown_keys();
}

}  // namespace

ConfigError::ConfigError(std::string origin, std::vector<std::string> problems)
    : std::runtime_error(join_problems(origin, problems)), problems_(std::move(problems)) {}

AppConfig parse_config(std::string_view toml_text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(
        origin, {"line " + std::to_string(where.line) + ", column " + std::to_string(where.column) +
                 ": " + std::string(error.description())});
  }

  AppConfig config;
  std::vector<std::string> problems;
  using Reader = void (*)(const toml::table&, AppConfig&, std::vector<std::string>&);
  const std::pair<std::string_view, Reader> sections[] = {{"database", read_database},
                                                          {"log", read_log}};
  for (const auto& [key, node] : root) {
    const auto* section = std::find_if(std::begin(sections), std::end(sections),
                                       [&](const auto& s) { return s.first == key.str(); });
    if (section == std::end(sections)) {
      problems.push_back("unknown section or key \"" + std::string(key.str()) + "\"");
    } else if (const auto* table = node.as_table()) {
      section->second(*table, config, problems);
    } else {
      problems.push_back("\"" + std::string(key.str()) + "\" must be a table ([" +
                         std::string(key.str()) + "])");
    }
  }
  if (!problems.empty())
    throw ConfigError(origin, std::move(problems));
  return config;
}

AppConfig load_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(path.string(), {"cannot open the file for reading"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

std::string resolve_database_url(const std::optional<std::string>& from_command_line,
                                 const AppConfig& config, const char* database_url_env) {
  if (from_command_line)
    return *from_command_line;
  if (config.database.url)
    return *config.database.url;
  if (database_url_env != nullptr)
    return database_url_env;
  return {};
}

}  // namespace insights
