// Backfill requests against a real PostgreSQL: one window per slot, gaps only next to existing
// windows, re-enqueueing asks for another pass instead of duplicating, progress follows passes,
// and a busy window is replaced by its pieces only while its lease is held.
#include "sink/backfill_requests.hpp"

#include <gtest/gtest.h>

#include <pqxx/nontransaction>

#include "sink/work_item_store.hpp"
#include "sink/work_queue.hpp"
#include "tests/support/planned_windows.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;

using insights::testing::kTestNoon;

class BackfillRequestsTest : public testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    queue = std::make_unique<WorkItemStore>(db->conninfo());
    queue->register_source("main", testing::kSimAccount);
  }

  BackfillEnqueued enqueue(UtcSeconds from, UtcSeconds to) {
    return enqueue_backfill(*pg, BackfillSpec{.source = "main",
                                              .range = {from, to},
                                              .window_minutes = 60,
                                              .now = kTestNoon,
                                              .requested_by = "tester"});
  }

  BackfillProgress progress(long long id) {
    const auto all = read_backfill_progress(*pg, {id});
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? BackfillProgress{} : all[0];
  }

  void exec(const std::string& sql) {
    pqxx::nontransaction tx(*pg);
    tx.exec0(sql);
  }

  // Pretends a full pass of `rows` rows finished for the windows matching `where`.
  void finish_passes(const std::string& where, int rows) {
    exec("UPDATE work_items SET passes_completed = passes_completed + 1, pass_rows = " +
         std::to_string(rows) + ", state = 'settled' WHERE " + where);
  }

  ClaimRequest claim(const std::string& owner, std::optional<WorkKind> kind = std::nullopt,
                     std::optional<TimeWindow> within = std::nullopt) {
    return {.source = "main",
            .owner = owner,
            .now = kTestNoon,
            .lease_seconds = 60,
            .limit = 100,
            .exclude = {},
            .kind = std::move(kind),
            .within = within};
  }

  std::unique_ptr<WorkItemStore> queue;
};

using insights::testing::planned;

TEST_F(BackfillRequestsTest, OneWindowPerSlotAndProgressFollowsTheirPasses) {
  const auto enqueued = enqueue(kTestNoon - hours(30), kTestNoon - hours(24));
  EXPECT_EQ(enqueued.windows_added, 6);
  EXPECT_EQ(enqueued.windows_requested, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE kind = 'backfill'"
                   " AND requested_passes = 1 AND state = 'pending'"),
            "6");
  auto before = progress(enqueued.id);
  EXPECT_EQ(before.windows, 6);
  EXPECT_EQ(before.windows_done, 0);
  EXPECT_FALSE(before.done());
  EXPECT_EQ(before.range.start, kTestNoon - hours(30));
  EXPECT_EQ(before.requested_by, "tester");

  finish_passes("window_start < '" + format_utc(kTestNoon - hours(28)) + "'", 700);
  auto half = progress(enqueued.id);
  EXPECT_EQ(half.windows_done, 2);
  EXPECT_EQ(half.rows, 1400);
  finish_passes("passes_completed = 0", 100);
  auto after = progress(enqueued.id);
  EXPECT_TRUE(after.done());
  EXPECT_EQ(after.rows, 1400 + 4 * 100);
}

TEST_F(BackfillRequestsTest, ReEnqueueingAsksForAnotherPassInsteadOfAddingWindows) {
  const auto first = enqueue(kTestNoon - hours(30), kTestNoon - hours(24));
  finish_passes("true", 10);
  ASSERT_TRUE(progress(first.id).done());
  exec("UPDATE work_items SET annotation_pass_done = true, next_due_at = '2027-01-01Z'");

  const auto second = enqueue(kTestNoon - hours(30), kTestNoon - hours(24));
  EXPECT_EQ(second.windows_added, 0);
  EXPECT_EQ(second.windows_requested, 6);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items"), "6");
  // Settled windows stay settled and come back as due for one more pass.
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE requested_passes = 2"
                   " AND state = 'settled' AND NOT annotation_pass_done"
                   " AND next_due_at = '" +
                   format_utc(kTestNoon) + "'"),
            "6");
  EXPECT_EQ(progress(second.id).windows_done, 0);
  finish_passes("true", 10);
  EXPECT_TRUE(progress(second.id).done());
}

TEST_F(BackfillRequestsTest, ExistingLiveWindowsAreReadAgainAndOnlyGapsAreAdded) {
  std::vector<TimeWindow> live;
  for (int i = 3; i > 0; --i)
    live.push_back({kTestNoon - hours(i), kTestNoon - hours(i - 1)});
  queue->add_windows("main", WorkKind::live, planned(live, kTestNoon + hours(1)));
  const auto enqueued = enqueue(kTestNoon - hours(6), kTestNoon);
  EXPECT_EQ(enqueued.windows_added, 3);
  EXPECT_EQ(enqueued.windows_requested, 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE kind = 'live'"
                   " AND next_due_at = '" +
                   format_utc(kTestNoon) + "'"),
            "3");
  EXPECT_EQ(progress(enqueued.id).windows, 6);
}

TEST_F(BackfillRequestsTest, ParkedWindowsGetAnotherChanceAndAPassInProgressDoesNotCount) {
  const auto first = enqueue(kTestNoon - hours(3), kTestNoon);
  exec(
      "UPDATE work_items SET state = 'parked', attempts = 5, last_error = 'bad page'"
      " WHERE window_start = '" +
      format_utc(kTestNoon - hours(3)) + "'");
  exec("UPDATE work_items SET page_cursor = 'https://next' WHERE window_start = '" +
       format_utc(kTestNoon - hours(2)) + "'");
  EXPECT_EQ(progress(first.id).windows_parked, 1);

  const auto second = enqueue(kTestNoon - hours(3), kTestNoon);
  EXPECT_EQ(scalar("SELECT state || ' ' || attempts || ' ' || coalesce(last_error, '-')"
                   " FROM work_items WHERE window_start = '" +
                   format_utc(kTestNoon - hours(3)) + "'"),
            "pending 0 -");
  // The pages read so far predate the request: the window owes the pass after this one.
  EXPECT_EQ(scalar("SELECT requested_passes FROM work_items WHERE page_cursor IS NOT NULL"), "2");
  EXPECT_EQ(progress(second.id).windows_parked, 0);
}

TEST_F(BackfillRequestsTest, AWindowThatStillOwesAPassIsDueAgainAtOnceEvenWhenItSettles) {
  // A live window in the middle of a pass when the backfill comes: it owes the pass after.
  queue->add_windows("main", WorkKind::live,
                     planned({{kTestNoon - hours(30), kTestNoon - hours(29)}}, kTestNoon));
  const auto item = queue->claim_due(claim("a")).at(0);
  exec("UPDATE work_items SET page_cursor = 'https://next'");
  const auto enqueued = enqueue(kTestNoon - hours(30), kTestNoon - hours(29));
  // The pass in progress ends (its last page) and settles the window.
  exec("UPDATE work_items SET page_cursor = NULL, passes_completed = 1");
  ASSERT_TRUE(
      queue->finish_pass(item.id, "a", FinishedPass{true, kTestNoon + hours(48), true, kTestNoon}));
  EXPECT_EQ(scalar("SELECT state || ' ' || annotation_pass_done FROM work_items"), "settled false");
  EXPECT_FALSE(progress(enqueued.id).done());
  // It is due now, and read as its (late) annotation pass; then the backfill is done.
  const auto again = queue->claim_due(claim("b")).size() == 1 ? queue->reload(item.id, "b")
                                                              : std::optional<WorkItem>();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, WorkState::settled);
  exec("UPDATE work_items SET passes_completed = 2");
  ASSERT_TRUE(queue->finish_pass(
      item.id, "b", FinishedPass{true, kTestNoon + minutes(1), true, kTestNoon + minutes(1)}));
  EXPECT_TRUE(progress(enqueued.id).done());
  EXPECT_EQ(scalar("SELECT annotation_pass_done FROM work_items"), "t");
}

TEST_F(BackfillRequestsTest, ABusyWindowIsReplacedByItsPiecesOnlyByItsLeaseHolder) {
  const auto enqueued = enqueue(kTestNoon - hours(2), kTestNoon);
  const auto claimed = queue->claim_due(claim("a"));
  ASSERT_EQ(claimed.size(), 2u);
  const WorkItem& busy = claimed[0];
  std::vector<TimeWindow> pieces;
  for (int i = 0; i < 4; ++i)
    pieces.push_back(
        {busy.window.start + minutes(15 * i), busy.window.start + minutes(15 * i + 15)});

  EXPECT_FALSE(queue->split_window(busy.id, "b", pieces, kTestNoon));  // not b's lease
  EXPECT_TRUE(queue->split_window(busy.id, "a", pieces, kTestNoon));
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE id = " + std::to_string(busy.id)), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE kind = 'backfill'"
                   " AND lease_owner IS NULL AND requested_passes = 1"
                   " AND window_end - window_start = interval '15 minutes'"),
            "4");
  const auto after = progress(enqueued.id);
  EXPECT_EQ(after.windows, 5);  // the other hour and four quarters
  EXPECT_EQ(after.windows_done, 0);
  // The pieces are due now, for anyone.
  EXPECT_EQ(queue->claim_due(claim("b")).size(), 4u);
}

TEST_F(BackfillRequestsTest, ClaimsCanBeLimitedToOneKindAndOneRange) {
  queue->add_windows("main", WorkKind::live,
                     planned({{kTestNoon - hours(1), kTestNoon}}, kTestNoon));
  enqueue(kTestNoon - hours(5), kTestNoon - hours(1));
  EXPECT_EQ(queue->claim_due(claim("a", WorkKind::live)).size(), 1u);
  const auto in_range = queue->claim_due(
      claim("a", WorkKind::backfill, TimeWindow{kTestNoon - hours(3), kTestNoon - hours(2)}));
  ASSERT_EQ(in_range.size(), 1u);
  EXPECT_EQ(in_range[0].window.start, kTestNoon - hours(3));
  EXPECT_EQ(queue->claim_due(claim("a", WorkKind::backfill)).size(), 3u);
}

TEST_F(BackfillRequestsTest, RecentBackfillsAreTheNewestPerSource) {
  std::vector<long long> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(enqueue(kTestNoon - hours(2 + i), kTestNoon - hours(1 + i)).id);
  const auto recent = read_recent_backfills(*pg, 5);
  ASSERT_EQ(recent.size(), 5u);
  EXPECT_EQ(recent.front().id, ids[2]);
  EXPECT_EQ(recent.back().id, ids[6]);
}

}  // namespace
}  // namespace insights
