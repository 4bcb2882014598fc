// Retention against a real PostgreSQL: rows older than the cutoff go in batches of the size
// asked for, rows at the cutoff and younger stay, rows without start_time are aged by their
// other timestamps, nothing but call_summaries changes, one instance deletes at a time, rows a
// page commit holds are skipped rather than waited for, and a stop between batches is honoured.
#include "sink/summary_retention.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>

#include "core/error.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_noon.hpp"

namespace insights {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

using insights::testing::kTestNoon;
const UtcSeconds kCutoff = kTestNoon - days(90);

class SummaryRetentionTest : public testing::PgTest {
 protected:
  // A summary with these timestamps ("" = NULL; first_seen_at "" = the column default, now()).
  void insert_summary(const std::string& sid, const std::string& start_time,
                      const std::string& created_time = "", const std::string& end_time = "",
                      const std::string& first_seen_at = "") {
    pqxx::work transaction(*pg);
    transaction.exec_params0(
        "INSERT INTO call_summaries (call_sid, source, content_hash, start_time, created_time,"
        " end_time, first_seen_at)"
        " VALUES ($1, 'test', '\\x00', nullif($2, '')::timestamptz, nullif($3, '')::timestamptz,"
        " nullif($4, '')::timestamptz, coalesce(nullif($5, '')::timestamptz, now()))",
        sid, start_time, created_time, end_time, first_seen_at);
    transaction.commit();
  }

  void insert_started_at(const std::string& sid, UtcSeconds start) {
    insert_summary(sid, format_utc(start));
  }

  bool stored(const std::string& sid) {
    return scalar("SELECT count(*) FROM call_summaries WHERE call_sid = '" + sid + "'") == "1";
  }

  std::string count_summaries() { return scalar("SELECT count(*) FROM call_summaries"); }
};

TEST_F(SummaryRetentionTest, DeletesOlderRowsInBatchesAndKeepsTheRest) {
  for (int i = 0; i < 23; ++i)
    insert_started_at("CAold" + std::to_string(i), kCutoff - seconds(1) - days(i));
  insert_started_at("CAat_cutoff", kCutoff);
  insert_started_at("CAjust_younger", kCutoff + seconds(1));
  for (int i = 0; i < 5; ++i)
    insert_started_at("CAyoung" + std::to_string(i), kTestNoon - hours(i));
  const long long item = create_work_item();
  const std::string work_items_before =
      scalar("SELECT md5(string_agg(w::text, ',')) FROM work_items w");
  const std::string sources_before = scalar("SELECT md5(string_agg(s::text, ',')) FROM sources s");

  SummaryRetention retention(db->conninfo(), 5);
  const RetentionRun run = retention.delete_older_than(kCutoff);

  EXPECT_FALSE(run.skipped);
  EXPECT_FALSE(run.stopped);
  EXPECT_EQ(run.rows_deleted, 23);
  EXPECT_EQ(run.batches, 5);  // 5 + 5 + 5 + 5 + 3
  EXPECT_EQ(count_summaries(), "7");
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries WHERE call_sid LIKE 'CAold%'"), "0");
  EXPECT_TRUE(stored("CAat_cutoff")) << "only rows strictly older than the cutoff go";
  EXPECT_TRUE(stored("CAjust_younger"));
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries WHERE call_sid LIKE 'CAyoung%'"), "5");
  EXPECT_EQ(scalar("SELECT md5(string_agg(w::text, ',')) FROM work_items w"), work_items_before);
  EXPECT_EQ(scalar("SELECT md5(string_agg(s::text, ',')) FROM sources s"), sources_before);
  EXPECT_EQ(scalar("SELECT count(*) FROM work_items WHERE id = " + std::to_string(item)), "1");

  // Nothing left to do.
  const RetentionRun again = retention.delete_older_than(kCutoff);
  EXPECT_EQ(again.rows_deleted, 0);
  EXPECT_EQ(again.batches, 0);
  EXPECT_EQ(count_summaries(), "7");
}

TEST_F(SummaryRetentionTest, ExactlyFullBatchesDeleteEverything) {
  for (int i = 0; i < 10; ++i)
    insert_started_at("CAold" + std::to_string(i), kCutoff - days(1));
  const RetentionRun run = SummaryRetention(db->conninfo(), 5).delete_older_than(kCutoff);
  EXPECT_EQ(run.rows_deleted, 10);
  EXPECT_EQ(run.batches, 2);  // 5 + 5 (and one that found nothing)
  EXPECT_EQ(count_summaries(), "0");
}

TEST_F(SummaryRetentionTest, RowsWithoutStartTimeAgeByCreatedThenEndThenFirstSeen) {
  const std::string old = format_utc(kCutoff - days(1)), young = format_utc(kTestNoon);
  insert_summary("CAcreated_old", "", old, young, format_utc(kTestNoon));
  insert_summary("CAended_old", "", "", old, format_utc(kTestNoon));
  insert_summary("CAfirst_seen_old", "", "", "", old);
  insert_summary("CAcreated_young", "", young, old, old);  // created_time decides, not the others
  insert_summary("CAfirst_seen_young", "", "", "", young);
  insert_summary("CAstarted_young", young, old, old, old);  // start_time decides when present
  for (int i = 0; i < 4; ++i)
    insert_summary("CAundated" + std::to_string(i), "", old);

  const RetentionRun run = SummaryRetention(db->conninfo(), 5).delete_older_than(kCutoff);

  EXPECT_EQ(run.rows_deleted, 7);
  EXPECT_EQ(run.batches, 2);  // 5 + 2
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries WHERE call_sid LIKE 'CAundated%'"), "0");
  EXPECT_FALSE(stored("CAcreated_old"));
  EXPECT_FALSE(stored("CAended_old"));
  EXPECT_FALSE(stored("CAfirst_seen_old"));
  EXPECT_TRUE(stored("CAcreated_young"));
  EXPECT_TRUE(stored("CAfirst_seen_young"));
  EXPECT_TRUE(stored("CAstarted_young"));
}

TEST_F(SummaryRetentionTest, OneInstanceDeletesAtATime) {
  insert_started_at("CAold", kCutoff - days(1));
  auto other_instance = db->connect();
  pqxx::nontransaction(*other_instance)
      .exec_params1("SELECT pg_advisory_lock($1)", SummaryRetention::kLockKey);

  SummaryRetention retention(db->conninfo(), 5);
  const RetentionRun skipped = retention.delete_older_than(kCutoff);
  EXPECT_TRUE(skipped.skipped);
  EXPECT_EQ(skipped.batches, 0);
  EXPECT_TRUE(stored("CAold"));

  pqxx::nontransaction(*other_instance)
      .exec_params1("SELECT pg_advisory_unlock($1)", SummaryRetention::kLockKey);
  const RetentionRun run = retention.delete_older_than(kCutoff);
  EXPECT_FALSE(run.skipped);
  EXPECT_EQ(run.rows_deleted, 1);
  // The run gave the lock back: the other instance may take it now.
  EXPECT_EQ(pqxx::nontransaction(*other_instance)
                .exec_params1("SELECT pg_try_advisory_lock($1)", SummaryRetention::kLockKey)[0]
                .as<bool>(),
            true);
}

TEST_F(SummaryRetentionTest, SkipsRowsAPageCommitHoldsInsteadOfWaiting) {
  for (int i = 0; i < 12; ++i)
    insert_started_at("CAold" + std::to_string(i), kCutoff - days(1));
  // A page commit merging CAold3 holds its row lock until it commits.
  auto page_commit = db->connect();
  pqxx::work merging(*page_commit);
  merging.exec1("SELECT 1 FROM call_summaries WHERE call_sid = 'CAold3' FOR UPDATE");

  auto running = std::async(std::launch::async, [this] {
    return SummaryRetention(db->conninfo(), 5).delete_older_than(kCutoff);
  });
  const bool finished = running.wait_for(20s) == std::future_status::ready;
  if (!finished)
    merging.abort();  // lets the retention go on, so the test fails instead of hanging
  ASSERT_TRUE(finished) << "retention waited for a row a page commit holds";
  const RetentionRun run = running.get();
  EXPECT_EQ(run.rows_deleted, 11);
  merging.commit();
  EXPECT_EQ(count_summaries(), "1");
  EXPECT_TRUE(stored("CAold3"));
  // The next run gets it.
  EXPECT_EQ(SummaryRetention(db->conninfo(), 5).delete_older_than(kCutoff).rows_deleted, 1);
  EXPECT_EQ(count_summaries(), "0");
}

TEST_F(SummaryRetentionTest, AStopRequestedBeforeABatchEndsTheRun) {
  for (int i = 0; i < 8; ++i)
    insert_started_at("CAold" + std::to_string(i), kCutoff - days(1));
  std::stop_source stop;
  stop.request_stop();
  const RetentionRun run =
      SummaryRetention(db->conninfo(), 5).delete_older_than(kCutoff, stop.get_token());
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.batches, 0);
  EXPECT_EQ(count_summaries(), "8");
}

TEST_F(SummaryRetentionTest, AnUnreachableDatabaseIsADatabaseError) {
  SummaryRetention retention("host=/nonexistent-socket-dir port=1 dbname=insights", 5);
  EXPECT_THROW(retention.delete_older_than(kCutoff), DatabaseError);
}

}  // namespace
}  // namespace insights
