#pragma once
// Reading one TOML table strictly: every key the caller asks for is checked for its type, every
// key it never asked for is reported, and problems are collected instead of thrown, so the
// config loader can report all of them at once. Internal to core/ (includes toml++).

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace insights {

class TomlTableReader {
 public:
  // `prefix` names the table in messages, e.g. "database." or "source[1].".
  TomlTableReader(const toml::table& table, std::string prefix, std::vector<std::string>& problems)
      : table_(table), prefix_(std::move(prefix)), problems_(problems) {}

  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<long long> integer(std::string_view key);
  // An integer in [min, max]; a value outside is a problem ("must be between 1 and 1440; got 0")
  // and gives nullopt, so the caller keeps its default.
  std::optional<int> integer_between(std::string_view key, int min, int max);
  // An array of strings (a single string is accepted as a one-element list).
  std::vector<std::string> string_list(std::string_view key);
  // A sub-table, or nullptr when absent (a non-table value is a problem).
  const toml::table* table(std::string_view key);

  // Reports keys the caller never asked for: typos must not be silently ignored.
  void reject_unknown_keys();

  void problem(std::string_view key, const std::string& what) {
    problems_.push_back(path(key) + " " + what);
  }
  std::string path(std::string_view key) const { return prefix_ + std::string(key); }

 private:
  const toml::node* find(std::string_view key);
  // The value at `key` if it has TOML type T, else a problem "<key> <expectation>".
  template <typename T>
  std::optional<T> scalar(std::string_view key, const char* expectation);

  const toml::table& table_;
  std::string prefix_;
  std::vector<std::string>& problems_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace insights
