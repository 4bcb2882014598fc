#pragma once
// Where log lines go besides a terminal: the systemd journal (priority, SYSLOG_IDENTIFIER and
// the fields of core/log_fields.hpp) and JSON lines (one object per line: time, level,
// message, and the fields present).

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace insights {

class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}
};

// `{"time":"2026-11-29T03:14:15.123Z","level":"info","message":"...","source":"main"}`
std::string json_log_line(const spdlog::details::log_msg& message);

class JsonLinesSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JsonLinesSink(std::FILE* out) : out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override { std::fflush(out_); }

 private:
  std::FILE* out_;
};

}  // namespace insights
