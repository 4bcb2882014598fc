#pragma once
// A warehouse for the BI tests: a fresh migrated database filled by real syncs from
// insights-sim, two accounts each synced by its own source over the last hours up to now (the
// BI views measure lag against the database's clock).

#include <chrono>
#include <memory>

#include "core/utc_time.hpp"
#include "tests/support/running_sim.hpp"
#include "tests/support/sync_harness.hpp"
#include "tests/support/test_database.hpp"

namespace insights::testing {

inline constexpr const char* kSecondAccount = "AC00000000000000000000000000000002";

class SeededWarehouseTest : public PgTest {
 protected:
  static constexpr int kLookbackHours = 6;

  void SetUp() override;
  // Syncs kSecondAccount as source "sim-2"; tests that need a failing window wrap its API.
  virtual SourceSyncReport sync_second_account(SyncHarnessOptions options);

  const UtcSeconds now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  FakeClock clock{now};
  std::unique_ptr<RunningSim> sim;
};

}  // namespace insights::testing
