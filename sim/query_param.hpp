#pragma once
// Looking up one parameter of a query string whose values need no percent-decoding (the
// admin endpoints' numbers, times and SIDs).

#include <string>
#include <string_view>

namespace insights::sim {

// The value of the first `name=value` pair in `query` ("a=1&b=2"), or "" when absent.
std::string query_param(std::string_view query, std::string_view name);

}  // namespace insights::sim
