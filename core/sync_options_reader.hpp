#pragma once
// Reading the `[sync]` table of the config file (internal to core/config.cpp).

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/sync_options.hpp"
#include "core/toml_table_reader.hpp"

namespace insights {

// Reads [sync]; `place` names it in messages. Every problem is appended (ranges as documented
// in core/sync_options.hpp); a field with a bad value keeps its default.
SyncOptions read_sync_table(const toml::table& table, const TablePlace& place,
                            std::vector<std::string>& problems);

}  // namespace insights
