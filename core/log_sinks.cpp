#include "core/log_sinks.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/uio.h>
#include <syslog.h>

// sd_journal_sendv() without the source-location fields sd-journal.h's macros add.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <chrono>
#include <vector>

#include "core/log_fields.hpp"

namespace insights {
namespace {

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

std::string utc_millis(std::chrono::system_clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(text + n, sizeof text - n, ".%03lldZ", static_cast<long long>(millis % 1000));
  return text;
}

}  // namespace

void JournalSink::sink_it_(const spdlog::details::log_msg& message) {
  const std::string text(message.payload.data(), message.payload.size());
  const LogFields fields = log_fields(text);
  std::vector<std::string> entries = {"MESSAGE=" + text,
                                      "PRIORITY=" + std::to_string(syslog_priority(message.level)),
                                      "SYSLOG_IDENTIFIER=insights-sync"};
  if (!fields.source.empty())
    entries.push_back("SOURCE=" + fields.source);
  if (!fields.window.empty())
    entries.push_back("WINDOW=" + fields.window);
  if (!fields.call_sid.empty())
    entries.push_back("CALL_SID=" + fields.call_sid);
  std::vector<iovec> vectors;
  for (auto& entry : entries)
    vectors.push_back({entry.data(), entry.size()});
  sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size()));
}

std::string json_log_line(const spdlog::details::log_msg& message) {
  const std::string text(message.payload.data(), message.payload.size());
  const LogFields fields = log_fields(text);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> json(buffer);
  const auto field = [&json](const char* key, const std::string& value) {
    json.Key(key);
    json.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  json.StartObject();
  field("time", utc_millis(message.time));
  const auto level = spdlog::level::to_string_view(message.level);
  field("level", std::string(level.data(), level.size()));
  field("message", text);
  if (!fields.source.empty())
    field("source", fields.source);
  if (!fields.window.empty())
    field("window", fields.window);
  if (!fields.call_sid.empty())
    field("call_sid", fields.call_sid);
  json.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

void JsonLinesSink::sink_it_(const spdlog::details::log_msg& message) {
  const std::string line = json_log_line(message);
  std::fwrite(line.data(), 1, line.size(), out_);
}

}  // namespace insights
