#include "daemon/unknown_enum_values.hpp"

#include <array>

#include "core/twilio_vocabulary.hpp"

namespace insights {
namespace {

constexpr std::array<std::string_view, 2> kProcessingStates = {"partial", "complete"};

void check(std::vector<UnknownEnumValue>& found, std::string_view field,
           const std::optional<std::string>& value, std::span<const std::string_view> known) {
  if (value && !is_one_of(known, *value))
    found.push_back({field, *value});
}

}  // namespace

std::vector<UnknownEnumValue> unknown_enum_values(const CallSummaryRow& row) {
  std::vector<UnknownEnumValue> found;
  check(found, "call_type", row.call_type, kCallTypes);
  check(found, "call_state", row.call_state, kCallStates);
  check(found, "direction", row.direction, kDirections);
  check(found, "answered_by", row.answered_by, kAnsweredByValues);
  check(found, "processing_state", row.processing_state, kProcessingStates);
  return found;
}

}  // namespace insights
