#include "sink/async_pg_sink.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "api/page_parser.hpp"
#include "tests/sink/summary_builder.hpp"
#include "tests/support/test_database.hpp"

namespace insights::testing {
namespace {

namespace asio = boost::asio;

class AsyncPgSinkTest : public PgTest {};

TEST_F(AsyncPgSinkTest, CommitsOffTheEventLoopThreadAndResumesOnIt) {
  const long long id = create_work_item();
  AsyncPgSink sink(PgSinkOptions{db->conninfo(), {}});
  asio::io_context loop;
  std::thread::id loop_thread, worker_thread, resumed_thread;
  CommitResult result;
  std::exception_ptr failure;

  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        loop_thread = std::this_thread::get_id();
        worker_thread = co_await sink.run([] { return std::this_thread::get_id(); });
        const Page page = parse_summaries_page(page_json({summary_json(call_sid(1), "complete")}));
        result = co_await sink.commit_page(WorkItemRef{id, 0, std::nullopt, std::nullopt}, page);
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

TEST_F(AsyncPgSinkTest, ErrorsReachTheAwaitingCoroutine) {
  AsyncPgSink sink(PgSinkOptions{db->conninfo(), {}});
  asio::io_context loop;
  std::exception_ptr failure;
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        const Page page = parse_summaries_page(page_json({summary_json(call_sid(2), "partial")}));
        co_await sink.commit_page(WorkItemRef{424242, 0, std::nullopt, std::nullopt}, page);
      },
      [&](std::exception_ptr error) { failure = error; });
  loop.run();
  ASSERT_TRUE(failure);
  EXPECT_THROW(std::rethrow_exception(failure), StaleWorkItemError);
}

}  // namespace
}  // namespace insights::testing
