#pragma once
// The daemon's scheduler (SourceSync) against an in-process insights-sim over TLS and a real
// PostgreSQL, on a clock the caller moves: each step runs the passes (and the live schedule's
// edge poll) that are due at that instant, as `sync --once` would, and returns when they are
// over. One SourceSync lives through every step, as in the daemon (bench/live_tail_day.cpp,
// bench/freshness_day.cpp, tests/daemon/live_edge_sync_test.cpp).
//
// Time moves from event to event (next_event): to the earliest moment a window is due, or a
// new window begins, where the daemon — which looks at its queue at least every second — would
// act. So a simulated day costs the passes it holds, not a day.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "core/sync_options.hpp"
#include "daemon/live_edge.hpp"
#include "tests/support/running_sim.hpp"

namespace insights::testing {

class SteppedSync {
 public:
  SteppedSync(RunningSim& sim, FakeClock& clock, const std::string& conninfo,
              const SyncOptions& options);
  ~SteppedSync();
  SteppedSync(const SteppedSync&) = delete;
  SteppedSync& operator=(const SteppedSync&) = delete;

  // Sets the clock and the sim's to `now`, then runs the due passes to their end. Returns the
  // windows parked or given up; throws std::runtime_error when the source stopped.
  long long step(UtcSeconds now);

  // The next instant the daemon would act after `now`: next_event() below, or sooner when the
  // live schedule's edge poll is due.
  UtcSeconds next_event(pqxx::connection& db, UtcSeconds now);

  // What the live schedule's edge poll did so far (none on the other schedules).
  std::optional<LiveEdgeTally> edge_tally() const;

  // Closes the kept-alive connections (call before the sim stops).
  void close();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// The next instant the daemon would act after `now`: a window due, or the next window
// boundary (a new live window is planned and read then). At least one second after `now`.
UtcSeconds next_event(pqxx::connection& db, UtcSeconds now, int window_minutes);

}  // namespace insights::testing
