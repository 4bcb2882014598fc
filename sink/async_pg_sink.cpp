#include "sink/async_pg_sink.hpp"

namespace insights {

AsyncPgSink::AsyncPgSink(PgSinkOptions options) : sink_(std::move(options)) {}

AsyncPgSink::~AsyncPgSink() {
  worker_.join();
}

boost::asio::awaitable<CommitResult> AsyncPgSink::commit_page(
    WorkItemRef item, Page page, std::optional<UtcSeconds> lease_until) {
  // The parameters live in this coroutine's frame until the worker is done with them, so the
  // worker borrows them. (Moving coroutine parameters into a capture double-frees with GCC 12.)
  co_return co_await run(
      [this, &item, &page, lease_until] { return sink_.commit_page(item, page, lease_until); });
}

boost::asio::awaitable<CommitResult> AsyncPgSink::merge_rows(std::string source, Page page) {
  co_return co_await run([this, &source, &page] { return sink_.merge_rows(source, page); });
}

}  // namespace insights
