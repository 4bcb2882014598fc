#pragma once
// Encodes values in PostgreSQL's COPY text format (tab-separated, \N for NULL, backslash
// escapes), so a page of rows goes to the server as one COPY stream without per-row
// statements.

#include <optional>
#include <string>
#include <string_view>

namespace insights {

// Appends `value` escaped for a COPY text field (backslash, tab, newline, carriage return).
void append_copy_field(std::string& line, std::string_view value);

// Appends the field, or \N when absent.
void append_copy_field_or_null(std::string& line, const std::optional<std::string>& value);

// Appends a bytea field given as lowercase hex digits ("\\x" prefix added).
void append_copy_bytea_hex(std::string& line, std::string_view hex_digits);

}  // namespace insights
