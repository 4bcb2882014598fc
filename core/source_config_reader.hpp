#pragma once
// Reading `[[source]]` tables of the config file (internal to core/config.cpp).

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/source_config.hpp"
#include "core/toml_table_reader.hpp"

namespace insights {

// Reads one [[source]] table; `place` names it in messages (its lead is the source's label,
// core/source_label.hpp). Problems are appended; the result holds whatever was valid.
SourceOptions read_source_table(const toml::table& table, const TablePlace& place,
                                std::vector<std::string>& problems);

}  // namespace insights
