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

// Config paths as the table readers name them in messages ("sync.window_minutes",
// "source[2].filters.has_tag"), each mapped to the variable that set it.
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

// Makes each problem that names an overridden path name its variable as well:
// "sync.window_minutes must be ..." becomes
// "INSIGHTS__SYNC__WINDOW_MINUTES (sync.window_minutes) must be ...". A path below an
// overridden one (a key of a table given whole) names that variable too.
void name_override_variables(std::vector<std::string>& problems, const OverrideOrigins& origins);

}  // namespace insights
