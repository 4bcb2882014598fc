#include "sink/summary_columns.hpp"

#include <array>

namespace insights {

std::span<const SummaryColumn> summary_columns() {
  using R = CallSummaryRow;
  static const std::array<SummaryColumn, 24> columns = {{
      {"account_sid", "text", &R::account_sid, false},
      {"call_type", "text", &R::call_type, false},
      {"call_state", "text", &R::call_state, false},
      {"direction", "text", &R::direction, false},
      {"answered_by", "text", &R::answered_by, false},
      {"processing_state", "text", &R::processing_state, false},
      {"created_time", "timestamptz", &R::created_time, false},
      {"start_time", "timestamptz", &R::start_time, false},
      {"end_time", "timestamptz", &R::end_time, false},
      {"duration", "integer", &R::duration, false},
      {"connect_duration", "integer", &R::connect_duration, false},
      {"tags", "text[]", &R::tags, false},
      {"from_party", "jsonb", &R::from_party, true},
      {"to_party", "jsonb", &R::to_party, true},
      {"carrier_edge", "jsonb", &R::carrier_edge, false},
      {"client_edge", "jsonb", &R::client_edge, false},
      {"sdk_edge", "jsonb", &R::sdk_edge, false},
      {"sip_edge", "jsonb", &R::sip_edge, false},
      {"properties", "jsonb", &R::properties, false},
      {"attributes", "jsonb", &R::attributes, false},
      {"trust", "jsonb", &R::trust, false},
      {"annotation", "jsonb", &R::annotation, false},
      {"agent_session_summaries", "jsonb", &R::agent_session_summaries, false},
      {"extra", "jsonb", &R::extra, false},
  }};
  return columns;
}

}  // namespace insights
