#include "sink/async_pg_sink.hpp"

#include <algorithm>
#include <stdexcept>

namespace insights {
namespace {

// Gives a lane's commit back when the commit ends, however it ends.
class LaneTicket {
 public:
  explicit LaneTicket(std::atomic<int>& waiting) : waiting_(waiting) { ++waiting_; }
  ~LaneTicket() { --waiting_; }
  LaneTicket(const LaneTicket&) = delete;
  LaneTicket& operator=(const LaneTicket&) = delete;

 private:
  std::atomic<int>& waiting_;
};

}  // namespace

AsyncPgSink::AsyncPgSink(PgSinkOptions options, int commit_connections) {
  if (commit_connections < 1)
    throw std::invalid_argument("AsyncPgSink: commit_connections must be at least 1");
  for (int i = 0; i < commit_connections; ++i)
    lanes_.push_back(std::make_unique<Lane>(options));
}

AsyncPgSink::~AsyncPgSink() {
  for (auto& lane : lanes_)
    lane->worker.join();
  other_work_.join();
}

AsyncPgSink::Lane& AsyncPgSink::least_busy_lane() {
  return **std::min_element(lanes_.begin(), lanes_.end(), [](const auto& a, const auto& b) {
    return a->waiting.load() < b->waiting.load();
  });
}

template <typename Work>
boost::asio::awaitable<CommitResult> AsyncPgSink::on_a_lane(Work work) {
  Lane& lane = least_busy_lane();
  const LaneTicket ticket(lane.waiting);
  PgSink& sink = lane.sink;
  co_return co_await boost::asio::co_spawn(lane.worker, call([&sink, &work] { return work(sink); }),
                                           boost::asio::use_awaitable);
}

boost::asio::awaitable<CommitResult> AsyncPgSink::commit_page(
    WorkItemRef item, Page page, std::optional<UtcSeconds> lease_until) {
  // The parameters live in this coroutine's frame until the worker is done with them, so the
  // worker borrows them (GCC 12 rule 4, docs/development.md).
  co_return co_await on_a_lane([&item, &page, lease_until](PgSink& sink) {
    return sink.commit_page(item, page, lease_until);
  });
}

boost::asio::awaitable<CommitResult> AsyncPgSink::merge_rows(std::string source, Page page) {
  co_return co_await on_a_lane(
      [&source, &page](PgSink& sink) { return sink.merge_rows(source, page); });
}

}  // namespace insights
