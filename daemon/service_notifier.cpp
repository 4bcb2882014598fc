#include "daemon/service_notifier.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdint>

namespace insights {
namespace {

void notify(const std::string& state) {
  // 0 = no socket (not under systemd), < 0 = could not send: neither may stop the daemon.
  if (const int result = sd_notify(0, state.c_str()); result < 0)
    spdlog::debug("sd_notify failed ({}): {}", result, state);
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::ready(const std::string& status) const {
  notify("READY=1\nSTATUS=" + status);
}

void ServiceNotifier::status(const std::string& text) const {
  notify("STATUS=" + text);
}

void ServiceNotifier::watchdog() const {
  notify("WATCHDOG=1");
}

void ServiceNotifier::stopping() const {
  notify("STOPPING=1\nSTATUS=stopping: finishing the pages in flight");
}

}  // namespace insights
