#pragma once
// Runs a PgSink on its own worker thread and exposes it to Asio coroutines, so blocking
// libpqxx calls never stall the event loop (DESIGN §1).
//
// Threading: commit_page may be awaited from any executor; calls are serialised on the one
// worker thread that owns the connection, and the awaiting coroutine resumes on its own
// executor. Exceptions from the sink (SyncError) propagate to the awaiting coroutine.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

#include "sink/pg_sink.hpp"

namespace insights {

class AsyncPgSink {
 public:
  explicit AsyncPgSink(PgSinkOptions options);
  ~AsyncPgSink();  // waits for the call in progress, then stops the worker

  boost::asio::awaitable<CommitResult> commit_page(
      WorkItemRef item, Page page, std::optional<UtcSeconds> lease_until = std::nullopt);
  boost::asio::awaitable<CommitResult> merge_rows(std::string source, Page page);

  // Runs `work` on the worker thread and returns its result to the awaiting coroutine.
  template <typename Work>
  auto run(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    co_return co_await boost::asio::co_spawn(worker_, call(std::move(work)),
                                             boost::asio::use_awaitable);
  }

 private:
  // A coroutine function rather than a capturing lambda: a lambda coroutine refers to its
  // closure object, which co_spawn does not keep alive (use-after-free with GCC 12).
  template <typename Work>
  static auto call(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    co_return work();
  }

  boost::asio::thread_pool worker_{1};
  PgSink sink_;
};

}  // namespace insights
