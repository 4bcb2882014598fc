#pragma once
// Applying INSIGHTS__* environment overrides to a parsed config table before it is validated
// (internal to core/config.cpp; the scheme is described in core/config.hpp).

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace insights {

// Config paths as the table readers place their keys (TablePlace::path in
// core/toml_table_reader.hpp: "sync.window_minutes", "source[2].filters.has_tag"), each mapped
// to the variable that set it.
using OverrideOrigins = std::map<std::string, std::string, std::less<>>;

// Sets the value of every INSIGHTS__* variable in `root` (other names are ignored), creating
// a missing [table] or [source.filters]. `tables` are the plain top-level tables
// ("database", "log", ...); [[source]] tables are addressed by their name. A variable that
// names an unknown table, no existing source, two variables setting one key, or a name without
// a key are problems naming the variable. No problem repeats a value.
OverrideOrigins apply_environment_overrides(toml::table& root,
                                            const EnvironmentVariables& variables,
                                            const std::vector<std::string_view>& tables,
                                            std::vector<std::string>& problems);

// The variable that set the config path `path` ("sync.window_minutes") or a table above it
// (a key of a table given whole), or nullptr. The table readers name it in their problems
// (core/toml_table_reader.hpp).
const std::string* override_variable_for(std::string_view path, const OverrideOrigins& origins);

}  // namespace insights
