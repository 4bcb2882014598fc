#pragma once
// Backfill requests in PostgreSQL (schema 0003): enqueue a range of one source so every
// window in it gets one more full pass, and read how far each request has come. Any instance
// working on the source picks the windows up through the ordinary work queue.
//
// Enqueueing is idempotent in effect: windows that already exist (live or backfill, loaded or
// not, parked or settled) are asked for one more pass; only the gaps get new backfill windows;
// rows are upserted by call_sid, so nothing is duplicated.
// Threading: blocking (libpqxx) on the caller's connection. Errors: DatabaseError.

#include <optional>
#include <string>
#include <vector>

#include "core/time_window.hpp"
#include "sink/pqxx_fwd.hpp"

namespace insights {

struct BackfillSpec {
  std::string source;
  TimeWindow range;  // aligned to window boundaries
  int window_minutes = 60;
  UtcSeconds now{};
  std::string requested_by;  // instance name
};

struct BackfillEnqueued {
  long long id = 0;
  int windows_added = 0;      // new backfill windows for gaps
  int windows_requested = 0;  // existing windows asked for another pass
};

BackfillEnqueued enqueue_backfill(pqxx::connection& connection, const BackfillSpec& spec);

struct BackfillProgress {
  long long id = 0;
  std::string source;
  TimeWindow range;
  UtcSeconds requested_at{};
  std::string requested_by;
  long long windows = 0;         // work items overlapping the range (grows when one splits)
  long long windows_done = 0;    // had the pass this request asked for
  long long windows_parked = 0;  // gave up: see `status` for why
  long long rows = 0;            // rows read by those passes (and the passes in progress)

  bool done() const { return windows > 0 && windows_done == windows; }
};

// The progress of the given requests, by id.
std::vector<BackfillProgress> read_backfill_progress(pqxx::connection& connection,
                                                     const std::vector<long long>& ids);

// The newest `per_source` requests of every source, by source then id.
std::vector<BackfillProgress> read_recent_backfills(pqxx::connection& connection, int per_source);

}  // namespace insights
