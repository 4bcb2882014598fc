#pragma once
// A configuration value as a problem message repeats it: `got "loud"`, `got 0`, `got [30]`.
// Strings are quoted and escaped (control characters as \n, \t or \u00XX, bytes that are not
// UTF-8 as '?'), so a message is always one printable line; long values are cut (then "..."
// follows). Values that must never be repeated (database.url: it may hold a password) are not
// passed here at all: see TomlTableReader::private_string. Internal to core/ (toml++).
// Thread-safe: pure functions.

#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace insights {

// `text` in double quotes, escaped and cut as described above.
std::string quoted_config_text(std::string_view text);

// Any TOML value: strings as quoted_config_text, numbers and booleans plain, dates and times as
// TOML writes them, arrays as [a, b] and tables as {key = value}, cut as above.
std::string config_value_echo(const toml::node& value);

}  // namespace insights
