#pragma once
// One source's SourceSync wired to real pieces by the daemon's own wiring
// (daemon/source_wiring.hpp: HttpClient → HttpSummariesApi over TLS, PgWorkQueue), with two
// seams for tests: `wrap_api` puts an API between the scheduler and the real one (a
// FakeSummariesApi in front of it: to fail, or to move the sim clock between pages), and
// PgSinkOptions::before_step fails database steps.

#include <functional>
#include <optional>
#include <string>

#include "api/summaries_api.hpp"
#include "core/backoff.hpp"
#include "core/clock.hpp"
#include "core/summary_filters.hpp"
#include "core/sync_options.hpp"
#include "daemon/source_sync.hpp"
#include "sink/pg_sink.hpp"
#include "tests/support/running_sim.hpp"

namespace insights::testing {

struct SyncHarnessOptions {
  PgSinkOptions database;
  std::string base_url;
  std::string ca_file;
  std::string user;
  std::string secret;
  std::string source = "sim";
  std::string account_sid = kSimAccount;
  std::string owner = "test-instance";
  SyncOptions sync;
  SummaryFilters filters;
  int concurrency = 4;
  const Clock* clock = nullptr;
  BackoffPolicy backoff{std::chrono::milliseconds(1), std::chrono::milliseconds(5), 2.0};
  // `backfill --run`: no live tail, only windows overlapping this range.
  std::optional<TimeWindow> only_within;
  // Given the real API, returns the one the scheduler uses (may be the same).
  std::function<SummariesApi&(SummariesApi& real)> wrap_api;
};

// Runs SourceSync::run(RunMode::once) to completion on a private event loop.
SourceSyncReport sync_once(const SyncHarnessOptions& options);

// Default sync options for tests: one-hour windows, the given lookback, settle after 5 h, the
// fresh schedule.
SyncOptions test_sync_options(int lookback_hours);

// Syncing `sim`'s account into the database at `conninfo` on `clock`, with
// test_sync_options(lookback_hours).
SyncHarnessOptions harness_for(const RunningSim& sim, const std::string& conninfo,
                               const Clock& clock, int lookback_hours);

}  // namespace insights::testing
