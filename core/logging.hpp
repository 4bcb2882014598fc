#pragma once
// Process-wide logging setup (spdlog). Call once from main before anything logs.

#include <string>

namespace insights {

// text: human lines on stderr (colour on a terminal); journal: the systemd journal with
// priority and SOURCE/WINDOW/CALL_SID fields; json: one JSON object per line on stderr;
// automatic: journal when stderr is connected to the journal ($JOURNAL_STREAM, as under
// systemd), text otherwise.
enum class LogFormat { automatic, text, journal, json };

// Sends log lines where `format` says, with a level filter ("info", "debug", ...).
void setup_logging(const std::string& level, LogFormat format = LogFormat::automatic);

}  // namespace insights
