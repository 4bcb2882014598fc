#include "sink/copy_text.hpp"

namespace insights {

void append_copy_field(std::string& line, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += c;
    }
  }
}

void append_copy_field_or_null(std::string& line, const std::optional<std::string>& value) {
  if (value) {
    append_copy_field(line, *value);
  } else {
    line += "\\N";
  }
}

void append_copy_bytea_hex(std::string& line, std::string_view hex_digits) {
  // bytea's input form is \x<hex>; COPY text needs that backslash escaped once more.
  line += "\\\\x";
  line += hex_digits;
}

}  // namespace insights
