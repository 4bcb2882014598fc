#pragma once
// The Call Summaries list filters a source may set (the set insights-sim implements).
// Empty lists and unset values mean "no filter".

#include <optional>
#include <string>
#include <vector>

namespace insights {

struct SummaryFilters {
  std::vector<std::string> from, to, from_carrier, to_carrier, from_country_code, to_country_code,
      call_type, call_state, direction, answered_by;
  std::optional<bool> verified_caller, has_tag, abnormal_session, branded_enabled;
  std::optional<std::string> subaccount;  // AC… of a subaccount

  bool operator==(const SummaryFilters&) const = default;
};

}  // namespace insights
