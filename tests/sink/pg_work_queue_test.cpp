// PgWorkQueue: libpqxx runs off the event loop and the awaiting coroutine resumes on it; errors
// reach the awaiting coroutine; two commit lanes merge two pages at once while a claim goes on
// beside them.
#include "sink/pg_work_queue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "api/page_parser.hpp"
#include "tests/support/summary_builder.hpp"
#include "tests/support/test_database.hpp"

namespace insights::testing {
namespace {

namespace asio = boost::asio;

class PgWorkQueueTest : public PgTest {};

TEST_F(PgWorkQueueTest, CommitsOffTheEventLoopThreadAndResumesOnIt) {
  const long long id = create_work_item();
  std::thread::id loop_thread, worker_thread, resumed_thread;
  PgWorkQueue queue(PgSinkOptions{db->conninfo(), [&](CommitStep step) {
                                    if (step == CommitStep::begin)
                                      worker_thread = std::this_thread::get_id();
                                  }});
  asio::io_context loop;
  CommitResult result;
  std::exception_ptr failure;

  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        loop_thread = std::this_thread::get_id();
        const Page page = parse_summaries_page(page_json({summary_json(call_sid(1), "complete")}));
        result = co_await queue.commit_page(WorkItemRef{id, 0, std::nullopt, std::nullopt}, page,
                                            std::nullopt);
        resumed_thread = std::this_thread::get_id();
      },
      [&](std::exception_ptr error) { failure = error; });
  loop.run();

  ASSERT_FALSE(failure);
  EXPECT_NE(worker_thread, loop_thread) << "libpqxx must not run on the event loop";
  EXPECT_EQ(resumed_thread, loop_thread);
  EXPECT_EQ(result.inserted, 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "1");
}

TEST_F(PgWorkQueueTest, ErrorsReachTheAwaitingCoroutine) {
  PgWorkQueue queue(PgSinkOptions{db->conninfo(), {}});
  asio::io_context loop;
  std::exception_ptr failure;
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        const Page page = parse_summaries_page(page_json({summary_json(call_sid(2), "partial")}));
        co_await queue.commit_page(WorkItemRef{424242, 0, std::nullopt, std::nullopt}, page,
                                   std::nullopt);
      },
      [&](std::exception_ptr error) { failure = error; });
  loop.run();
  ASSERT_TRUE(failure);
  EXPECT_THROW(std::rethrow_exception(failure), StaleWorkItemError);
}

TEST_F(PgWorkQueueTest, TwoCommitConnectionsMergeTwoPagesAtOnceAndAClaimDoesNotWait) {
  const long long first = create_work_item("main", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z");
  const long long second = create_work_item("main", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z");
  // Each merge waits until both pages are in their merge and a claim has run: with one
  // connection, or claims queued behind commits, that never happens and the wait times out.
  std::mutex mutex;
  std::condition_variable changed;
  int merging = 0;
  bool other_work_ran = false, all_at_once = true;
  PgSinkOptions options{db->conninfo(), {}};
  options.before_step = [&](CommitStep step) {
    if (step != CommitStep::merge_rows)
      return;
    std::unique_lock lock(mutex);
    ++merging;
    changed.notify_all();
    if (!changed.wait_for(lock, std::chrono::seconds(5),
                          [&] { return merging == 2 && other_work_ran; }))
      all_at_once = false;
  };
  PgWorkQueue queue(options, 2);
  EXPECT_EQ(queue.commit_connections(), 2);
  asio::io_context loop;
  std::vector<CommitResult> results;
  std::exception_ptr failure;
  const auto commit = [&](long long id, int call) -> asio::awaitable<void> {
    const Page page = parse_summaries_page(page_json({summary_json(call_sid(call), "complete")}));
    results.push_back(co_await queue.commit_page(WorkItemRef{id, 0, std::nullopt, std::nullopt},
                                                 page, std::nullopt));
  };
  const auto note_failure = [&](std::exception_ptr error) {
    if (error)
      failure = error;
  };
  asio::co_spawn(loop, commit(first, 1), note_failure);
  asio::co_spawn(loop, commit(second, 2), note_failure);
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        // Once both commits are under way, so the claim really runs beside them.
        asio::steady_timer poll(loop);
        for (int i = 0; i < 500; ++i) {
          {
            std::unique_lock lock(mutex);
            if (merging == 2)
              break;
          }
          poll.expires_after(std::chrono::milliseconds(10));
          co_await poll.async_wait(asio::use_awaitable);
        }
        ClaimRequest claim;
        claim.source = "main";
        claim.owner = "me";
        co_await queue.claim_due(claim);
        std::unique_lock lock(mutex);
        other_work_ran = true;
        changed.notify_all();
      },
      note_failure);
  loop.run();

  ASSERT_FALSE(failure);
  EXPECT_TRUE(all_at_once) << "the two merges and the other work did not run at the same time";
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].inserted + results[1].inserted, 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM call_summaries"), "2");
}

}  // namespace
}  // namespace insights::testing
