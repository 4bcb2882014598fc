#pragma once
// Tells the service manager how the daemon is doing, through sd_notify(3) (libsystemd): READY=1
// once the database answered and the schema is current, WATCHDOG=1 from the event loop (so a
// stuck loop stops the pings and systemd restarts the process), STATUS= lines, STOPPING=1 on
// shutdown. Without $NOTIFY_SOCKET (not under systemd Type=notify) every call is a no-op.
//
// Threading: the calls are independent datagrams; call from any thread.

#include <chrono>
#include <optional>
#include <string>

namespace insights {

class ServiceNotifier {
 public:
  ServiceNotifier();

  void ready(const std::string& status) const;
  void status(const std::string& text) const;
  void watchdog() const;
  void stopping() const;

  // How often systemd wants WATCHDOG=1 ($WATCHDOG_USEC, WatchdogSec=); nullopt when off.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace insights
