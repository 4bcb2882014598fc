#pragma once
// How messages name a [[source]]: by the name the operator gave it, with its position in the
// file so the table is found at once: `source "main" (source[2])`. A source without a valid
// name is named by its position alone: `source[2]`. Config problems, secret problems and
// check-config's report lines all start with this label.
// Thread-safe: pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace insights {

// A valid source name: 1 to 64 of [A-Za-z0-9_-]. (It goes into SQL parameters, log fields and
// metric labels, so it is kept to characters that need no quoting anywhere.)
bool is_source_name(std::string_view name);

// `position` counts [[source]] tables from 1, in file order.
std::string source_label(std::size_t position, std::string_view name);

}  // namespace insights
