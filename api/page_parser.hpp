#pragma once
// Turns response bodies of the Call Summaries API into rows ready for the sink.
//
// Strict on the envelope (an object with `meta` and the array named by `meta.key`), tolerant
// inside items: null and missing keys become absent fields, unknown top-level keys go to
// CallSummaryRow::extra, unknown enum values are kept as text. An item whose known fields have
// the wrong JSON type, or a body that is not valid UTF-8 JSON, fails the whole page with a
// PageFormatError (ErrorKind::retry: a truncated body usually reads fine the next time).
// Thread-safe: no shared state.

#include <string_view>

#include "api/page.hpp"
#include "core/error.hpp"

namespace insights {

class PageFormatError : public SyncError {
 public:
  // Retried (a truncated body usually reads fine the next time), but counted as bad input:
  // after park_after_attempts the window is parked.
  explicit PageFormatError(const std::string& message)
      : SyncError(ErrorKind::retry, message, FailureFacts{.bad_input = true}) {}
};

// Parses a list page (`{"meta": {...}, "call_summaries": [...]}`).
Page parse_summaries_page(std::string_view body);

// Parses the body of GET /v1/Voice/{CallSid}/Summary (a single summary object) into a
// one-row page with no next page, so the sink handles both the same way.
Page parse_single_summary(std::string_view body);

}  // namespace insights
