#include "core/toml_table_reader.hpp"

namespace insights {

const toml::node* TomlTableReader::find(std::string_view key) {
  known_.insert(std::string(key));
  return table_.get(key);
}

template <typename T>
std::optional<T> TomlTableReader::scalar(std::string_view key, const char* expectation) {
  const toml::node* node = find(key);
  if (node == nullptr)
    return std::nullopt;
  if (const auto* value = node->as<T>())
    return value->get();
  problem(key, expectation);
  return std::nullopt;
}

std::optional<std::string> TomlTableReader::string(std::string_view key) {
  return scalar<std::string>(key, "must be a string");
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
    problem(key, "must be a string or an array of strings");
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
  problem(key, "must be a table");
  return nullptr;
}

void TomlTableReader::reject_unknown_keys() {
  for (const auto& [key, node] : table_) {
    if (!known_.contains(std::string(key.str())))
      problems_.push_back("unknown key " + path(key.str()));
  }
}

}  // namespace insights
