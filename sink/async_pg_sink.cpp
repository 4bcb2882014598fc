#include "sink/async_pg_sink.hpp"

namespace insights {

AsyncPgSink::AsyncPgSink(PgSinkOptions options) : sink_(std::move(options)) {}

AsyncPgSink::~AsyncPgSink() { worker_.join(); }

boost::asio::awaitable<CommitResult> AsyncPgSink::commit_page(WorkItemRef item, Page page) {
  co_return co_await run([this, item = std::move(item), page = std::move(page)] {
    return sink_.commit_page(item, page);
  });
}

}  // namespace insights
