#pragma once
// Reading one TOML table strictly: every key the caller asks for is checked for its type, every
// key it never asked for is reported (with the known key it was probably meant to be), and
// problems are collected instead of thrown, so the config loader can report all of them at
// once. A problem with a value repeats the value (core/config_value_echo.hpp), except for keys
// read with private_string(). Internal to core/ (includes toml++).

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_environment.hpp"

namespace insights {

// Where a table sits in the configuration, so messages name its keys the way the operator
// wrote them.
struct TablePlace {
  // The table's config path as environment overrides know it: "sync.", "source[2].filters.".
  std::string path;
  // How a message shows that path before a key: "sync."; "filters." in a source, whose label
  // leads the message instead.
  std::string shown;
  // Put before every problem of the table: "" or `source "main" (source[2]): `.
  std::string lead;
  // The INSIGHTS__* variables that set keys (or whole tables); a problem with such a key names
  // its variable: "INSIGHTS__SYNC__LEASE_SECONDS (sync.lease_seconds) must be ...". May be null.
  const OverrideOrigins* overrides = nullptr;

  // A top-level table, e.g. "sync".
  static TablePlace top_level(std::string_view name, const OverrideOrigins* overrides);
  // The sub-table `key` of this one.
  TablePlace below(std::string_view key) const;
  // How a message names `key` of this table: its shown path, after its variable when one set it.
  std::string named(std::string_view key) const;
};

class TomlTableReader {
 public:
  TomlTableReader(const toml::table& table, TablePlace place, std::vector<std::string>& problems)
      : table_(table), place_(std::move(place)), problems_(problems) {}

  std::optional<std::string> string(std::string_view key);
  // A string whose value no message may repeat (database.url: it may hold a password).
  std::optional<std::string> private_string(std::string_view key);
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

  // "<key> <what>", after the table's lead.
  void problem(std::string_view key, const std::string& what) {
    report(place_.named(key) + " " + what);
  }
  // A problem in words of its own (e.g. about two keys), after the table's lead.
  void report(const std::string& text) { problems_.push_back(place_.lead + text); }
  const TablePlace& place() const { return place_; }

 private:
  const toml::node* find(std::string_view key);
  // The value at `key` if it has TOML type T, else a problem "<key> <expectation>; got <value>"
  // (without the value when `repeat_value` is false).
  template <typename T>
  std::optional<T> scalar(std::string_view key, const char* expectation, bool repeat_value = true);

  const toml::table& table_;
  TablePlace place_;
  std::vector<std::string>& problems_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace insights
