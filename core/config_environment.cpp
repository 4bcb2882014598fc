#include "core/config_environment.hpp"

#include <unistd.h>  // environ

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/toml_text_guard.hpp"

namespace insights {
namespace {

constexpr std::string_view kPrefix = "INSIGHTS__";
constexpr std::string_view kSeparator = "__";
constexpr std::string_view kFilters = "FILTERS__";

std::string to_lower(std::string_view text) {
  std::string result(text);
  for (char& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

// Upper case with '-' as '_': source names may hold '-', shell variable names cannot. Keeps
// the length, so positions in the result are positions in `text`.
std::string normalized(std::string_view text) {
  std::string result(text);
  for (char& c : result)
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

// Where one variable's value goes.
struct Target {
  toml::table* table = nullptr;
  std::string key;   // TOML key in `table`
  std::string path;  // the key as the readers name it in messages
};

struct Source {
  toml::table* table = nullptr;
  std::string name;
  std::string prefix;  // "source[2]."
};

// The [[source]] tables with a string name, numbered as read_sources numbers them. Empty when
// "source" is not [[source]] tables (the reader reports that).
std::vector<Source> named_sources(toml::table& root) {
  std::vector<toml::table*> tables;
  if (toml::node* node = root.get("source")) {
    if (auto* table = node->as_table()) {
      tables.push_back(table);
    } else if (auto* array = node->as_array(); array != nullptr && array->is_array_of_tables()) {
      for (auto& element : *array)
        tables.push_back(element.as_table());
    }
  }
  std::vector<Source> sources;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (const auto* name = tables[i]->get_as<std::string>("name")) {
      sources.push_back({tables[i], name->get(), "source[" + std::to_string(i + 1) + "]."});
    }
  }
  return sources;
}

// The lower-case TOML key for the rest of a variable name; nullopt when it is empty or still
// has parts.
std::optional<std::string> key_of(std::string_view rest) {
  if (rest.empty() || rest.find(kSeparator) != std::string_view::npos)
    return std::nullopt;
  return to_lower(rest);
}

// The sub-table `key` of `parent`, created when absent; nullptr when `key` holds a non-table.
toml::table* table_at(toml::table& parent, std::string_view key) {
  if (toml::node* node = parent.get(key))
    return node->as_table();
  return parent.insert(key, toml::table{}).first->second.as_table();
}

class OverrideApplier {
 public:
  OverrideApplier(toml::table& root, const std::vector<std::string_view>& tables,
                  std::vector<std::string>& problems)
      : root_(root), tables_(tables), sources_(named_sources(root)), problems_(problems) {}

  void apply(const std::string& variable, const std::string& value) {
    const std::optional<Target> target = find_target(variable);
    if (!target)
      return;
    const auto [origin, inserted] = origins_.try_emplace(target->path, variable);
    if (!inserted) {
      problems_.push_back(origin->second + " and " + variable + " both set " + target->path);
      return;
    }
    assign(*target->table, target->key, value);
  }

  OverrideOrigins take_origins() { return std::move(origins_); }

 private:
  // Where `variable` points, or nullopt after reporting why it points nowhere.
  std::optional<Target> find_target(const std::string& variable) {
    const std::string_view rest = std::string_view(variable).substr(kPrefix.size());
    const std::size_t end = rest.find(kSeparator);
    if (end == std::string_view::npos) {
      problems_.push_back(variable + " names no key: expected INSIGHTS__<TABLE>__<KEY>");
      return std::nullopt;
    }
    const std::string table = to_lower(rest.substr(0, end));
    const std::string_view tail = rest.substr(end + kSeparator.size());
    if (table == "source")
      return find_source_target(variable, tail);
    if (std::find(tables_.begin(), tables_.end(), table) == tables_.end()) {
      std::string expected;
      for (const auto name : tables_)
        expected += std::string(name) + ", ";
      problems_.push_back(variable + " names an unknown table \"" + table + "\" (expected " +
                          expected + "or source)");
      return std::nullopt;
    }
    const std::optional<std::string> key = key_of(tail);
    if (!key) {
      problems_.push_back(variable + " must be INSIGHTS__" + normalized(table) + "__<KEY>");
      return std::nullopt;
    }
    toml::table* target = table_at(root_, table);
    if (target == nullptr) {
      problems_.push_back(variable + " cannot be applied: \"" + table +
                          "\" in the configuration is not a table");
      return std::nullopt;
    }
    return Target{target, *key, table + "." + *key};
  }

  std::optional<Target> find_source_target(const std::string& variable, std::string_view tail) {
    // The source whose name, then "__", starts `tail`; with names "eu" and "eu__x" the longer
    // one that matches is meant.
    const std::string wanted = normalized(tail);
    const Source* match = nullptr;
    bool ambiguous = false;
    for (const auto& source : sources_) {
      const std::string name = normalized(source.name);
      if (!wanted.starts_with(name + std::string(kSeparator)))
        continue;
      if (match == nullptr || name.size() > match->name.size()) {
        match = &source;
        ambiguous = false;
      } else if (name.size() == match->name.size()) {
        ambiguous = true;
      }
    }
    if (match == nullptr) {
      const bool names_a_source = std::any_of(sources_.begin(), sources_.end(), [&](const auto& s) {
        return normalized(s.name) == wanted;
      });
      if (names_a_source) {
        problems_.push_back(variable + " names no key: expected INSIGHTS__SOURCE__<NAME>__<KEY>");
        return std::nullopt;
      }
      std::string names;
      for (const auto& source : sources_)
        names += (names.empty() ? "\"" : ", \"") + source.name + "\"";
      problems_.push_back(variable + " names no [[source]] of the configuration (" +
                          (names.empty() ? "there are none" : "sources: " + names) + ")");
      return std::nullopt;
    }
    if (ambiguous) {
      problems_.push_back(variable +
                          " matches more than one [[source]] name (names differ only in case "
                          "or '-' and '_')");
      return std::nullopt;
    }
    std::string_view rest = tail.substr(match->name.size() + kSeparator.size());
    toml::table* table = match->table;
    std::string path = match->prefix;
    if (normalized(rest).starts_with(kFilters)) {
      rest.remove_prefix(kFilters.size());
      path += "filters.";
      table = table_at(*table, "filters");
      if (table == nullptr) {
        problems_.push_back(variable + " cannot be applied: " + match->prefix +
                            "filters is not a table");
        return std::nullopt;
      }
    }
    const std::optional<std::string> key = key_of(rest);
    if (!key) {
      problems_.push_back(variable +
                          " must be INSIGHTS__SOURCE__<NAME>__<KEY> or "
                          "INSIGHTS__SOURCE__<NAME>__FILTERS__<KEY>");
      return std::nullopt;
    }
    return Target{table, *key, path + *key};
  }

  // The value as TOML when it is exactly one TOML value (30, true, "text", ["a", "b"]),
  // otherwise as a plain string (so LEVEL=debug works).
  static void assign(toml::table& table, const std::string& key, const std::string& value) {
    const std::string text = "value = " + value;
    // A text toml++ must not see (core/toml_text_guard.hpp) is no TOML value either.
    if (!toml_text_problem(text)) {
      try {
        toml::table parsed = toml::parse(text);
        if (toml::node* node = parsed.get("value"); node != nullptr && parsed.size() == 1) {
          table.insert_or_assign(key, std::move(*node));
          return;
        }
      } catch (const toml::parse_error&) {
        // Not a TOML value: a plain string, below. The parser's message is not shown; it
        // would repeat the value, which may be a database URL with a password.
      }
    }
    table.insert_or_assign(key, value);
  }

  toml::table& root_;
  const std::vector<std::string_view>& tables_;
  // Taken before any override applies, so overriding a source's name does not change which
  // variables address it.
  const std::vector<Source> sources_;
  std::vector<std::string>& problems_;
  OverrideOrigins origins_;
};

}  // namespace

EnvironmentVariables insights_environment() {
  EnvironmentVariables variables;
  for (char** entry = ::environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals != std::string_view::npos && text.starts_with(kPrefix))
      variables.emplace_back(text.substr(0, equals), text.substr(equals + 1));
  }
  return variables;
}

OverrideOrigins apply_environment_overrides(toml::table& root,
                                            const EnvironmentVariables& variables,
                                            const std::vector<std::string_view>& tables,
                                            std::vector<std::string>& problems) {
  // By name, so the outcome does not depend on the environment's order and a whole table
  // (…__FILTERS) applies before keys inside it (…__FILTERS__HAS_TAG).
  std::vector<const std::pair<std::string, std::string>*> sorted;
  for (const auto& variable : variables) {
    if (variable.first.starts_with(kPrefix))
      sorted.push_back(&variable);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->first < b->first; });
  OverrideApplier applier(root, tables, problems);
  for (const auto* variable : sorted)
    applier.apply(variable->first, variable->second);
  return applier.take_origins();
}

const std::string* override_variable_for(std::string_view path, const OverrideOrigins& origins) {
  for (std::size_t end = path.size(); end != std::string_view::npos && end > 0;
       end = path.rfind('.', end - 1)) {
    if (const auto origin = origins.find(path.substr(0, end)); origin != origins.end())
      return &origin->second;
  }
  return nullptr;
}

}  // namespace insights
