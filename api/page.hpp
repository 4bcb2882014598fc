#pragma once
// A parsed page of GET /v1/Voice/Summaries: the paging envelope plus the rows to store.

#include <optional>
#include <string>
#include <vector>

#include "core/call_summary_row.hpp"

namespace insights {

struct PageMeta {
  long long page = 0;
  long long page_size = 0;
  std::optional<std::string> next_page_url;  // null on the last page
  std::optional<std::string> url;
};

struct Page {
  PageMeta meta;
  std::vector<CallSummaryRow> rows;  // in the order the API sent them (duplicates kept)
  // Top-level keys of items this version does not know, each named once per page, sorted.
  // They are stored in CallSummaryRow::extra; the daemon counts and logs them once.
  std::vector<std::string> unknown_keys;

  bool is_last() const { return !meta.next_page_url.has_value(); }
};

}  // namespace insights
