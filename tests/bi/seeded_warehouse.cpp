#include "tests/bi/seeded_warehouse.hpp"

#include "sim/call_generator.hpp"
#include "sim/sim_service.hpp"

namespace insights::testing {

void SeededWarehouseTest::SetUp() {
  PgTest::SetUp();
  if (HasFatalFailure())
    return;
  sim::GeneratorOptions data;
  data.seed = 7;
  data.calls_per_hour = 300;
  data.accounts = {kSimAccount, kSecondAccount};
  data.subaccounts_per_account = 0;
  sim::SimServiceOptions service;
  service.credentials = {{kSimAccount, kSimToken, kSimAccount},
                         {kSecondAccount, kSimToken, kSecondAccount}};
  sim = std::make_unique<RunningSim>(data, service, now);
  sim->set_time(now);

  const SourceSyncReport first =
      sync_once(harness_for(*sim, db->conninfo(), clock, kLookbackHours));
  ASSERT_FALSE(first.fatal_error) << *first.fatal_error;
  auto second = harness_for(*sim, db->conninfo(), clock, kLookbackHours);
  second.source = "sim-2";
  second.account_sid = kSecondAccount;
  second.user = kSecondAccount;
  const SourceSyncReport second_report = sync_second_account(std::move(second));
  ASSERT_FALSE(second_report.fatal_error) << *second_report.fatal_error;
}

SourceSyncReport SeededWarehouseTest::sync_second_account(SyncHarnessOptions options) {
  return sync_once(options);
}

}  // namespace insights::testing
