#pragma once
// Process-wide logging setup (spdlog). Call once from main before anything logs.

#include <string>

namespace insights {

// Sends log lines to stderr with a level filter ("info", "debug", ...; see LogOptions).
void setup_logging(const std::string& level);

}  // namespace insights
