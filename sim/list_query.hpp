#pragma once
// The query string of GET /v1/Voice/Summaries, parsed and validated as the API documents it.
//
// Multi-value filters are comma-separated; booleans are lowercase `true`/`false`; times take
// the relative or ISO-8601 forms of sim/time_param.hpp with the documented defaults
// (StartTime 4h, EndTime 0m). Any invalid value is a 400 TwilioError naming the parameter.
// Parameters the sim does not model (annotation and branding details) are accepted and
// ignored, as unknown parameters are.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/sim_call.hpp"
#include "sim/twilio_error.hpp"

namespace insights::sim {

enum class ProcessingStateFilter { completed, started, partial, all };
enum class SortField { start_time, end_time };

struct ListQuery {
  // Filters; an empty list means "any".
  std::vector<std::string> from, to, from_carrier, to_carrier, from_country_code, to_country_code,
      call_type, call_state, direction, answered_by;
  std::optional<bool> verified_caller, has_tag, abnormal_session, branded_enabled;
  std::optional<std::string> subaccount;
  SimTime start_time{}, end_time{};  // resolved against the sim clock: [start_time, end_time)
  // The list endpoint's default is undocumented; like the single-summary endpoint, the sim
  // returns completed summaries only unless asked otherwise.
  ProcessingStateFilter processing_state = ProcessingStateFilter::completed;
  SortField sort_by = SortField::start_time;
  int page_size = 50;
  int page = 0;
  std::optional<std::string> page_token;
  // Every parameter except PageSize, Page and PageToken, still percent-encoded, in the order
  // received: echoed into the meta URLs, and what a PageToken is bound to.
  std::string echoed_filters;
};

// Parses the part after '?' (may be empty).
std::variant<ListQuery, TwilioError> parse_list_query(std::string_view query, SimTime now);

// Whether a call passes the query's filters (not the time window, account or state).
bool matches_filters(const ListQuery& query, const SimCall& call, Visibility visibility);

}  // namespace insights::sim
