#pragma once
// Writing JSON by appending to a string: the sim's responses are built this way because it is
// several times faster than a DOM and the shapes are fixed.

#include <string>
#include <string_view>

namespace insights::sim {

// Appends `value` as a JSON string literal (quotes included); UTF-8 is kept as is, control
// characters, quotes and backslashes are escaped.
void append_json_string(std::string& out, std::string_view value);

}  // namespace insights::sim
