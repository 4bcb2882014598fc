#pragma once
// Runs PgSinks on worker threads and exposes them to Asio coroutines, so blocking libpqxx calls
// never stall the event loop (docs/architecture.md, "Threads").
//
// Page commits go to one of `commit_connections` lanes, each a PgSink (its own connection)
// on its own thread: with two or more, PostgreSQL merges one page while the next one is being
// copied, on another core, instead of one connection serialising every page. A commit takes
// the lane with the fewest commits waiting. Pages in flight at once belong to different
// windows, so they touch different work items; two windows over the same calls (a backfill of
// the live tail's range) merge in call_sid order and wait for each other rather than deadlock
// (a deadlock would still only retry the page).
//
// `run` serves the other database work (the work queue's calls, readiness checks) on a thread
// of its own, so a claim or a lease renewal never queues behind a page's merge.
//
// Threading: every call may be awaited from any executor; the awaiting coroutine resumes on
// its own executor. Exceptions from the sink (SyncError) propagate to the awaiting coroutine.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "sink/pg_sink.hpp"

namespace insights {

class AsyncPgSink {
 public:
  // commit_connections: at least 1. A lane opens its connection at its first commit.
  explicit AsyncPgSink(PgSinkOptions options, int commit_connections = 1);
  ~AsyncPgSink();  // waits for the calls in progress, then stops the workers

  boost::asio::awaitable<CommitResult> commit_page(
      WorkItemRef item, Page page, std::optional<UtcSeconds> lease_until = std::nullopt);
  boost::asio::awaitable<CommitResult> merge_rows(std::string source, Page page);

  // Runs `work` on the thread for non-commit work and returns its result to the awaiting
  // coroutine. Calls are serialised: `work` may use a connection only this thread touches.
  template <typename Work>
  auto run(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    co_return co_await boost::asio::co_spawn(other_work_, call(std::move(work)),
                                             boost::asio::use_awaitable);
  }

  int commit_connections() const { return static_cast<int>(lanes_.size()); }

 private:
  struct Lane {
    explicit Lane(PgSinkOptions options) : sink(std::move(options)) {}
    boost::asio::thread_pool worker{1};
    PgSink sink;
    std::atomic<int> waiting{0};  // commits given to this lane and not yet finished
  };

  // A coroutine function rather than a capturing lambda (GCC 12 rule 3, docs/development.md).
  template <typename Work>
  static auto call(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    co_return work();
  }

  Lane& least_busy_lane();
  // Runs work(PgSink&) on the least busy lane's thread.
  template <typename Work>
  boost::asio::awaitable<CommitResult> on_a_lane(Work work);

  boost::asio::thread_pool other_work_{1};
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace insights
