#pragma once
// A value from the network, safe to put in an error message or a log line: in double quotes,
// printable ASCII only (anything else becomes '?', so logs stay valid UTF-8 whatever arrived),
// cut after `max_shown` bytes (then "..." follows the closing quote).

#include <cstddef>
#include <string>
#include <string_view>

namespace insights {

std::string quoted_excerpt(std::string_view text, std::size_t max_shown);

// A URL from the API (a next_page_url), as quoted_excerpt shows it: long enough to recognise.
inline std::string quoted_url_excerpt(std::string_view url) {
  return quoted_excerpt(url, 200);
}

}  // namespace insights
