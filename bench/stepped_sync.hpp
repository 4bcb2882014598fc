#pragma once
// The daemon's scheduler (SourceSync) against an in-process insights-sim over TLS and a real
// PostgreSQL, on a clock the benchmark moves: each step runs the passes that are due at that
// instant, as `sync --once` would, and returns when they are over (bench/live_tail_day.cpp,
// bench/freshness_day.cpp).
//
// Time moves from event to event (next_event): to the earliest moment a window is due, or a
// new window begins, where the daemon — which looks at its queue at least every second — would
// act. So a simulated day costs the passes it holds, not a day.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "core/sync_options.hpp"
#include "tests/support/running_sim.hpp"

namespace insights::bench {

class SteppedSync {
 public:
  SteppedSync(testing::RunningSim& sim, testing::FakeClock& clock, const std::string& conninfo,
              const SyncOptions& options);
  ~SteppedSync();
  SteppedSync(const SteppedSync&) = delete;
  SteppedSync& operator=(const SteppedSync&) = delete;

  // Sets the clock and the sim's to `now`, then runs the due passes to their end. Returns the
  // windows parked or given up; throws std::runtime_error when the source stopped.
  long long step(UtcSeconds now);

  // Closes the kept-alive connections (call before the sim stops).
  void close();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// The next instant the daemon would act after `now`: a window due, or the next window
// boundary (a new live window is planned and read then). At least one second after `now`.
UtcSeconds next_event(pqxx::connection& db, UtcSeconds now, int window_minutes);

}  // namespace insights::bench
