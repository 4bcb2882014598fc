#include "core/toml_table_reader.hpp"

#include "core/config_value_echo.hpp"
#include "core/key_suggestion.hpp"

namespace insights {

TablePlace TablePlace::top_level(std::string_view name, const OverrideOrigins* overrides) {
  const std::string path = std::string(name) + ".";
  return TablePlace{.path = path, .shown = path, .lead = "", .overrides = overrides};
}

TablePlace TablePlace::below(std::string_view key) const {
  return TablePlace{.path = path + std::string(key) + ".",
                    .shown = shown + std::string(key) + ".",
                    .lead = lead,
                    .overrides = overrides};
}

std::string TablePlace::named(std::string_view key) const {
  const std::string shown_key = shown + std::string(key);
  if (overrides != nullptr) {
    if (const std::string* variable = override_variable_for(path + std::string(key), *overrides))
      return *variable + " (" + shown_key + ")";
  }
  return shown_key;
}

const toml::node* TomlTableReader::find(std::string_view key) {
  known_.insert(std::string(key));
  return table_.get(key);
}

template <typename T>
std::optional<T> TomlTableReader::scalar(std::string_view key, const char* expectation,
                                         bool repeat_value) {
  const toml::node* node = find(key);
  if (node == nullptr)
    return std::nullopt;
  if (const auto* value = node->as<T>())
    return value->get();
  problem(key, repeat_value ? std::string(expectation) + "; got " + config_value_echo(*node)
                            : std::string(expectation));
  return std::nullopt;
}

std::optional<std::string> TomlTableReader::string(std::string_view key) {
  return scalar<std::string>(key, "must be a string");
}

std::optional<std::string> TomlTableReader::private_string(std::string_view key) {
  return scalar<std::string>(key, "must be a string", false);
}

std::optional<bool> TomlTableReader::boolean(std::string_view key) {
  return scalar<bool>(key, "must be true or false");
}

std::optional<long long> TomlTableReader::integer(std::string_view key) {
  return scalar<int64_t>(key, "must be an integer");
}

std::optional<int> TomlTableReader::integer_between(std::string_view key, int min, int max) {
  const std::optional<long long> value = integer(key);
  if (!value)
    return std::nullopt;
  if (*value < min || *value > max) {
    problem(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     "; got " + std::to_string(*value));
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::vector<std::string> TomlTableReader::string_list(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr)
    return {};
  if (const auto* value = node->as_string())
    return {value->get()};
  std::vector<std::string> values;
  const auto* array = node->as_array();
  if (array != nullptr) {
    for (const auto& element : *array) {
      const auto* text = element.as_string();
      if (text == nullptr) {
        array = nullptr;
        break;
      }
      values.push_back(text->get());
    }
  }
  if (array == nullptr) {
    problem(key, "must be a string or an array of strings; got " + config_value_echo(*node));
    return {};
  }
  return values;
}

const toml::table* TomlTableReader::table(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr)
    return nullptr;
  if (const auto* value = node->as_table())
    return value;
  problem(key, "must be a table; got " + config_value_echo(*node));
  return nullptr;
}

void TomlTableReader::reject_unknown_keys() {
  const std::vector<std::string> known(known_.begin(), known_.end());
  for (const auto& [key, node] : table_) {
    if (known_.contains(std::string(key.str())))
      continue;
    std::string text = "unknown key " + place_.named(key.str());
    if (const auto meant = nearest_key(key.str(), known))
      text += " (did you mean " + place_.shown + *meant + "?)";
    report(text);
  }
}

}  // namespace insights
