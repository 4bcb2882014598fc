#pragma once
// The structured fields insights-sync's log lines carry in their text, for journald (SOURCE=,
// WINDOW=, CALL_SID=) and JSON lines: messages about a source start "source NAME:", a window
// is written "window START..END", a call by its SID (CA + 32 hex digits). Reading them back
// from the text keeps every log call a plain format string and the fields always in step with
// what a person reads.

#include <string>
#include <string_view>

namespace insights {

struct LogFields {
  std::string source;    // "" when the line is about no source
  std::string window;    // "2026-11-29T01:00:00Z..2026-11-29T02:00:00Z"
  std::string call_sid;  // the first call SID in the line
};

LogFields log_fields(std::string_view message);

}  // namespace insights
