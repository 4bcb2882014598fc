#include "core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/log_sinks.hpp"

namespace insights {
namespace {

// systemd sets $JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected stdout/stderr to;
// stderr is the journal only when it still is that stream (not redirected by a script).
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat status {};
  if (stream == nullptr || fstat(STDERR_FILENO, &status) != 0)
    return false;
  return std::string(stream) == std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
}

}  // namespace

void setup_logging(const std::string& level, LogFormat format) {
  if (format == LogFormat::automatic)
    format = stderr_is_journal() ? LogFormat::journal : LogFormat::text;
  std::shared_ptr<spdlog::logger> logger;
  switch (format) {
    case LogFormat::journal:
      logger = std::make_shared<spdlog::logger>("insights-sync", std::make_shared<JournalSink>());
      break;
    case LogFormat::json:
      logger = std::make_shared<spdlog::logger>("insights-sync",
                                                std::make_shared<JsonLinesSink>(stderr));
      break;
    default:
      logger = std::make_shared<spdlog::logger>(
          "insights-sync", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
      logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
      break;
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace insights
