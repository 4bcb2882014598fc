#pragma once
// Reading `[[source]]` tables of the config file (internal to core/config.cpp).

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/source_config.hpp"

namespace insights {

// Reads one [[source]] table; `prefix` names it in messages ("source[2]."). Problems are
// appended; the result holds whatever was valid.
SourceOptions read_source_table(const toml::table& table, const std::string& prefix,
                                std::vector<std::string>& problems);

}  // namespace insights
