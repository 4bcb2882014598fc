#pragma once
// The scheduler alone: SourceSync on an InMemoryWorkQueue, a FakeSummariesApi and a FakeClock,
// so planning, retries, parking, leases and the partial → complete lifecycle run in
// milliseconds without PostgreSQL or a sim. The test places calls in `api`, moves `clock`, runs
// `sync_once` (SourceSync::run(RunMode::once), as `insights-sync sync --once` does) and reads
// `queue` back.

#include <optional>
#include <string>
#include <vector>

#include "core/backoff.hpp"
#include "core/sync_options.hpp"
#include "daemon/source_sync.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/fake_summaries_api.hpp"
#include "tests/support/in_memory_work_queue.hpp"

namespace insights::testing {

struct SchedulerHarness {
  explicit SchedulerHarness(UtcSeconds start);

  // Runs one `once` sync per owner, side by side on one event loop, to completion; their
  // reports in the same order.
  std::vector<SourceSyncReport> sync_once_as(const std::vector<std::string>& owners);
  SourceSyncReport sync_once() { return sync_once_as({"test-instance"}).at(0); }

  InMemoryWorkQueue queue;
  FakeSummariesApi api;
  FakeClock clock;
  SyncOptions options;  // test_sync_options(3): one-hour windows, the fresh schedule
  int concurrency = 4;
  BackoffPolicy backoff{std::chrono::milliseconds(1), std::chrono::milliseconds(2), 2.0};
  std::optional<TimeWindow> only_within;  // `backfill --run`
  std::string source = "sim";
};

}  // namespace insights::testing
