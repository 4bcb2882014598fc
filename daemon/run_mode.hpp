#pragma once
// How long a sync runs: `sync --once` or the daemon.

namespace insights {

enum class RunMode {
  once,     // every window due now gets one complete pass (retries included), then return
  forever,  // the daemon: keep the live tail going until stop()
};

}  // namespace insights
