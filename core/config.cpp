#include "core/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/config_environment.hpp"
#include "core/config_value_echo.hpp"
#include "core/key_suggestion.hpp"
#include "core/listen_address.hpp"
#include "core/source_config_reader.hpp"
#include "core/source_label.hpp"
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

void read_database(const toml::table& table, const TablePlace& place, AppConfig& config,
                   std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  // No message may repeat the URL: it may hold a password.
  config.database.url = reader.private_string("url");
  if (const auto connections = reader.integer_between("commit_connections", 1, 16))
    config.database.commit_connections = *connections;
  reader.reject_unknown_keys();
}

void read_log(const toml::table& table, const TablePlace& place, AppConfig& config,
              std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  if (auto level = reader.string("level")) {
    if (kLogLevels.contains(*level)) {
      config.log.level = *level;
    } else {
      reader.problem("level",
                     "must be one of trace, debug, info, warn, error, critical, off; got " +
                         quoted_config_text(*level));
    }
  }
  if (auto format = reader.string("format")) {
    if (*format == "auto" || *format == "text" || *format == "journal" || *format == "json") {
      config.log.format = *format;
    } else {
      reader.problem(
          "format", "must be one of auto, text, journal, json; got " + quoted_config_text(*format));
    }
  }
  reader.reject_unknown_keys();
}

void read_metrics(const toml::table& table, const TablePlace& place, AppConfig& config,
                  std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  if (auto listen = reader.string("listen")) {
    std::string problem;
    if (listen->empty() || parse_listen_address(*listen, problem)) {
      config.metrics.listen = *listen;
    } else {
      reader.problem(
          "listen", quoted_config_text(*listen) + ": " + problem + "; \"\" turns the endpoint off");
    }
  }
  reader.reject_unknown_keys();
}

void read_retention(const toml::table& table, const TablePlace& place, AppConfig& config,
                    std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  if (const auto days = reader.integer_between("delete_after_days", 0, 36500))
    config.retention.delete_after_days = *days;
  reader.reject_unknown_keys();
}

void read_sync(const toml::table& table, const TablePlace& place, AppConfig& config,
               std::vector<std::string>& problems) {
  config.sync = read_sync_table(table, place, problems);
}

// `[[source]]`: an array of tables (a single [source] table is accepted too). Each source's
// problems lead with its label (core/source_label.hpp), taken from the name it has once the
// overrides are applied.
void read_sources(const toml::table& root, const OverrideOrigins& overrides, AppConfig& config,
                  std::vector<std::string>& problems) {
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
  std::map<std::string, std::size_t> positions;  // by name
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::size_t position = i + 1;
    const std::string name = tables[i]->get_as<std::string>("name") != nullptr
                                 ? tables[i]->get_as<std::string>("name")->get()
                                 : std::string();
    const std::string path = "source[" + std::to_string(position) + "].";
    const TablePlace place{.path = path,
                           .shown = "",
                           .lead = source_label(position, name) + ": ",
                           .overrides = &overrides};
    SourceOptions source = read_source_table(*tables[i], place, problems);
    if (!source.name.empty()) {
      const auto [first, inserted] = positions.try_emplace(source.name, position);
      if (!inserted) {
        problems.push_back(place.lead + place.named("name") + " " +
                           quoted_config_text(source.name) + " is used by another source (source[" +
                           std::to_string(first->second) + "])");
      }
    }
    config.sources.push_back(std::move(source));
  }
}

std::string unknown_section_problem(std::string_view key,
                                    const std::vector<std::string_view>& sections) {
  std::string text = "unknown section or key " + quoted_config_text(key);
  std::vector<std::string> known(sections.begin(), sections.end());
  known.push_back("source");
  if (const auto meant = nearest_key(key, known))
    text += " (did you mean " + *meant + "?)";
  return text;
}

}  // namespace

ConfigError::ConfigError(std::string origin, std::vector<std::string> problems)
    : SyncError(ErrorKind::stop_process, join_problems(origin, problems), {}, kExitConfig),
      problems_(std::move(problems)) {}

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
  using Reader =
      void (*)(const toml::table&, const TablePlace&, AppConfig&, std::vector<std::string>&);
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
  read_sources(root, overridden, config, problems);
  for (const auto& [key, node] : root) {
    if (key.str() == "source")
      continue;  // read above
    // (The lambda captures a copy: clang 14, which builds the fuzzers, cannot capture a
    // structured binding.)
    const auto* section =
        std::find_if(std::begin(sections), std::end(sections),
                     [name = key.str()](const auto& s) { return s.first == name; });
    if (section == std::end(sections)) {
      problems.push_back(unknown_section_problem(key.str(), section_names));
    } else if (const auto* table = node.as_table()) {
      section->second(*table, TablePlace::top_level(section->first, &overridden), config, problems);
    } else {
      // Not repeated: `database = "postgresql://..."` may hold a password. A named string
      // (GCC 12 rule 5, docs/development.md).
      const std::string name(key.str());
      problems.push_back("\"" + name + "\" must be a table ([" + name + "])");
    }
  }
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
