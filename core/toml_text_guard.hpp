#pragma once
// Keeps toml++ 3.3.0 (Debian 12) away from an undefined-behaviour bug in its parser.
//
// toml++ asks "is this whitespace?" of characters between tokens, and right after a backslash
// in a multi-line basic string ("""..."""). For most non-ASCII characters (U+00A1..U+0499 and
// U+FC26..U+FEFE) its generated is_non_ascii_horizontal_whitespace() then reaches
// __builtin_unreachable(): undefined behaviour, so a config such as `level° = "info"` could do
// anything instead of giving an error. Found by fuzz/config_loader_fuzzer.cpp (UBSan:
// "execution reached an unreachable program point"). TOML allows non-ASCII characters only in
// strings and comments, so the loader refuses a text that has one anywhere else before toml++
// sees it; strings and comments may hold any UTF-8.
// Thread-safe: a pure function.

#include <optional>
#include <string>
#include <string_view>

namespace insights {

// Why toml++ must not parse `toml_text` ("line 3, column 6: a non-ASCII character outside a
// string or comment"), or nullopt when it may. Lines and columns count from 1, columns in bytes.
std::optional<std::string> toml_text_problem(std::string_view toml_text);

}  // namespace insights
