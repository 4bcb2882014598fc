#pragma once
// Enum fields holding values this version does not know (Twilio adds values, e.g. `whatsapp`
// in call_type in 2025). They are stored as sent; the scheduler counts them and logs each
// (field, value) once, so an operator learns that dashboards may need a new category.

#include <string>
#include <string_view>
#include <vector>

#include "core/call_summary_row.hpp"

namespace insights {

struct UnknownEnumValue {
  std::string_view field;  // "call_type", "call_state", "direction", "answered_by", ...
  std::string value;
};

// The row's enum fields whose values are not in core/twilio_vocabulary.hpp.
std::vector<UnknownEnumValue> unknown_enum_values(const CallSummaryRow& row);

}  // namespace insights
