#pragma once
// One call summary as insights-sync stores it: the typed columns dashboards filter on, the
// nested objects as compact JSON text, and what the merge needs to decide (content hash).
//
// Values are kept as text exactly as they go into PostgreSQL (COPY parses them once), so a
// row costs one allocation per present field and nothing is converted twice. Every field is
// optional because Twilio marks every property nullable and older payloads omit keys.

#include <optional>
#include <string>

namespace insights {

struct CallSummaryRow {
  std::string call_sid;  // primary key; always present (the parser rejects items without it)
  std::optional<std::string> account_sid;
  std::optional<std::string> call_type;
  std::optional<std::string> call_state;
  std::optional<std::string> direction;  // properties.direction, lifted for dashboards
  std::optional<std::string> answered_by;
  std::optional<std::string> processing_state;  // "complete" | "partial" | unknown, kept as-is
  std::optional<std::string> created_time;      // ISO-8601 as sent by Twilio
  std::optional<std::string> start_time;
  std::optional<std::string> end_time;
  std::optional<std::string> duration;          // integer seconds, as decimal text
  std::optional<std::string> connect_duration;  // integer seconds, as decimal text
  std::optional<std::string> tags;              // PostgreSQL text[] literal, e.g. {"silence"}
  // JSON objects (compact JSON text, UTF-8)
  std::optional<std::string> from_party;
  std::optional<std::string> to_party;
  std::optional<std::string> carrier_edge;
  std::optional<std::string> client_edge;
  std::optional<std::string> sdk_edge;
  std::optional<std::string> sip_edge;
  std::optional<std::string> properties;
  std::optional<std::string> attributes;
  std::optional<std::string> trust;
  std::optional<std::string> annotation;
  std::optional<std::string> agent_session_summaries;
  // Top-level keys this version does not know, as one JSON object; absent when there are none.
  std::optional<std::string> extra;
  // Hex digest over every stored field above; equal hashes mean "nothing changed".
  std::string content_hash;

  bool is_complete() const { return processing_state && *processing_state == "complete"; }
};

}  // namespace insights
