#pragma once
// The requests insights-sync sends: the list URL for one window of one source, and the
// single-summary URL for stragglers. Time bounds, ProcessingState, SortBy and PageSize are
// always explicit, because the API's defaults (the last 4 hours, completed only?) would
// silently drop data.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/summary_filters.hpp"
#include "core/utc_time.hpp"

namespace insights {

enum class ProcessingStateParam { completed, partial, all };
enum class SortByParam { start_time, end_time };

struct WindowRequest {
  SummaryFilters filters;
  UtcSeconds start{};  // StartTime, inclusive
  UtcSeconds end{};    // EndTime
  ProcessingStateParam processing_state = ProcessingStateParam::all;
  SortByParam sort_by = SortByParam::start_time;
  int page_size = 1000;  // the API's maximum: fewest requests
};

// "/v1/Voice/Summaries?…" (origin form, percent-encoded) for the first page of a window.
std::string summaries_list_target(const WindowRequest& request);

// "/v1/Voice/{CallSid}/Summary?ProcessingState=…".
std::string single_summary_target(std::string_view call_sid, ProcessingStateParam state);

// Percent-encodes a query value: RFC 3986 unreserved characters stay, everything else
// (including ',', '&', '+', ' ' and UTF-8 bytes) becomes %XX.
std::string encode_query_value(std::string_view value);

}  // namespace insights
