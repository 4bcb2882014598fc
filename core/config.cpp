#include "core/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config_environment.hpp"
#include "core/source_config_reader.hpp"
#include "core/sync_options_reader.hpp"
#include "core/toml_table_reader.hpp"
#include "core/toml_text_guard.hpp"

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

void read_database(const toml::table& table, AppConfig& config,
                   std::vector<std::string>& problems) {
  TomlTableReader reader(table, "database.", problems);
  // No message may repeat the URL: it may hold a password.
  config.database.url = reader.string("url");
  if (const auto connections = reader.integer_between("commit_connections", 1, 16))
    config.database.commit_connections = *connections;
  reader.reject_unknown_keys();
}

void read_log(const toml::table& table, AppConfig& config, std::vector<std::string>& problems) {
  TomlTableReader reader(table, "log.", problems);
  if (auto level = reader.string("level")) {
    if (kLogLevels.contains(*level)) {
      config.log.level = *level;
    } else {
      reader.problem(
          "level",
          "must be one of trace, debug, info, warn, error, critical, off; got \"" + *level + "\"");
    }
  }
  if (auto format = reader.string("format")) {
    if (*format == "auto" || *format == "text" || *format == "journal" || *format == "json") {
      config.log.format = *format;
    } else {
      reader.problem("format", "must be one of auto, text, journal, json; got \"" + *format + "\"");
    }
  }
  reader.reject_unknown_keys();
}

// "127.0.0.1:9464", "[::1]:9464" or "0.0.0.0:0"; "" = off.
bool is_listen_address(const std::string& value) {
  const std::size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size() ||
      value.size() - colon - 1 > 5) {
    return false;
  }
  for (std::size_t i = colon + 1; i < value.size(); ++i) {
    if (value[i] < '0' || value[i] > '9')
      return false;
  }
  return std::stoi(value.substr(colon + 1)) <= 65535;
}

void read_metrics(const toml::table& table, AppConfig& config, std::vector<std::string>& problems) {
  TomlTableReader reader(table, "metrics.", problems);
  if (auto listen = reader.string("listen")) {
    if (listen->empty() || is_listen_address(*listen)) {
      config.metrics.listen = *listen;
    } else {
      reader.problem("listen",
                     "must be \"address:port\" (e.g. \"127.0.0.1:9464\") or \"\" "
                     "for no endpoint; got \"" +
                         *listen + "\"");
    }
  }
  reader.reject_unknown_keys();
}

void read_retention(const toml::table& table, AppConfig& config,
                    std::vector<std::string>& problems) {
  TomlTableReader reader(table, "retention.", problems);
  if (const auto days = reader.integer_between("delete_after_days", 0, 36500))
    config.retention.delete_after_days = *days;
  reader.reject_unknown_keys();
}

void read_sync(const toml::table& table, AppConfig& config, std::vector<std::string>& problems) {
  config.sync = read_sync_table(table, "sync.", problems);
}

// `[[source]]`: an array of tables (a single [source] table is accepted too).
void read_sources(const toml::table& root, AppConfig& config, std::vector<std::string>& problems) {
  const toml::node* node = root.get("source");
  if (node == nullptr)
    return;
  std::vector<const toml::table*> tables;
  if (const auto* table = node->as_table()) {
    tables.push_back(table);
  } else if (const auto* array = node->as_array();
             array != nullptr && array->is_array_of_tables()) {
    for (const auto& element : *array)
      tables.push_back(element.as_table());
  } else {
    problems.push_back("\"source\" must be [[source]] tables");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string prefix = "source[" + std::to_string(i + 1) + "].";
    SourceOptions source = read_source_table(*tables[i], prefix, problems);
    if (!source.name.empty() && !names.insert(source.name).second) {
      problems.push_back(prefix + "name \"" + source.name + "\" is used by another source");
    }
    config.sources.push_back(std::move(source));
  }
}

}  // namespace

ConfigError::ConfigError(std::string origin, std::vector<std::string> problems)
    : std::runtime_error(join_problems(origin, problems)), problems_(std::move(problems)) {}

AppConfig parse_config(std::string_view toml_text, const std::string& origin) {
  return parse_config(toml_text, origin, {});
}

AppConfig parse_config(std::string_view toml_text, const std::string& origin,
                       const EnvironmentVariables& overrides) {
  if (auto problem = toml_text_problem(toml_text))
    throw ConfigError(origin, {std::move(*problem)});
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(
        origin, {"line " + std::to_string(where.line) + ", column " + std::to_string(where.column) +
                 ": " + std::string(error.description())});
  }

  // Tables other than [[source]], each with its reader.
  using Reader = void (*)(const toml::table&, AppConfig&, std::vector<std::string>&);
  const std::pair<std::string_view, Reader> sections[] = {{"database", read_database},
                                                          {"log", read_log},
                                                          {"metrics", read_metrics},
                                                          {"sync", read_sync},
                                                          {"retention", read_retention}};
  std::vector<std::string_view> section_names;
  for (const auto& section : sections)
    section_names.push_back(section.first);

  // Overrides change the table before it is read, so they are validated like the file.
  std::vector<std::string> problems;
  const OverrideOrigins overridden =
      apply_environment_overrides(root, overrides, section_names, problems);

  AppConfig config;
  std::vector<std::string> reading;
  read_sources(root, config, reading);
  for (const auto& [key, node] : root) {
    if (key.str() == "source")
      continue;  // read above
    // (The lambda captures a copy: clang 14, which builds the fuzzers, cannot capture a
    // structured binding.)
    const auto* section =
        std::find_if(std::begin(sections), std::end(sections),
                     [name = key.str()](const auto& s) { return s.first == name; });
    if (section == std::end(sections)) {
      reading.push_back("unknown section or key \"" + std::string(key.str()) + "\"");
    } else if (const auto* table = node.as_table()) {
      section->second(*table, config, reading);
    } else {
      // A named string, not `"\"" + std::string(key.str())`: GCC 12 at -O3 reports a false
      // -Wrestrict inside operator+(const char*, std::string&&) (GCC PR 105329/105651).
      const std::string name(key.str());
      reading.push_back("\"" + name + "\" must be a table ([" + name + "])");
    }
  }
  name_override_variables(reading, overridden);
  problems.insert(problems.end(), reading.begin(), reading.end());
  if (!problems.empty())
    throw ConfigError(origin, std::move(problems));
  return config;
}

AppConfig load_config_file(const std::filesystem::path& path) {
  return load_config(path, {});
}

AppConfig load_config(const std::optional<std::filesystem::path>& file,
                      const EnvironmentVariables& overrides) {
  if (!file)
    return parse_config("", "environment (no config file)", overrides);
  std::ifstream in(*file, std::ios::binary);
  if (!in)
    throw ConfigError(file->string(), {"cannot open the file for reading"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file->string(), overrides);
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
