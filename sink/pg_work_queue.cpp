#include "sink/pg_work_queue.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <type_traits>

#include "sink/pg_sink.hpp"

namespace insights {
namespace {

namespace asio = boost::asio;

// A coroutine function rather than a capturing lambda (GCC 12 rule 3, docs/development.md).
template <typename Work>
auto call(Work work) -> asio::awaitable<std::invoke_result_t<Work&>> {
  co_return work();
}

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

struct PgWorkQueue::Impl {
  struct Lane {
    explicit Lane(PgSinkOptions options) : sink(std::move(options)) {}
    asio::thread_pool worker{1};
    PgSink sink;
    std::atomic<int> waiting{0};  // commits given to this lane and not yet finished
  };

  Impl(const PgSinkOptions& options, int commit_connections) : store(options.conninfo) {
    if (commit_connections < 1)
      throw std::invalid_argument("PgWorkQueue: commit_connections must be at least 1");
    for (int i = 0; i < commit_connections; ++i)
      lanes.push_back(std::make_unique<Lane>(options));
  }

  // Runs `work` on the queue thread, where `store` alone is used.
  template <typename Work>
  auto on_queue_thread(Work work) -> asio::awaitable<std::invoke_result_t<Work&>> {
    co_return co_await asio::co_spawn(queue_thread, call(std::move(work)), asio::use_awaitable);
  }

  // Runs work(PgSink&) on the least busy lane's thread.
  template <typename Work>
  asio::awaitable<CommitResult> on_a_lane(Work work) {
    Lane& lane = **std::min_element(lanes.begin(), lanes.end(), [](const auto& a, const auto& b) {
      return a->waiting.load() < b->waiting.load();
    });
    const LaneTicket ticket(lane.waiting);
    PgSink& sink = lane.sink;
    co_return co_await asio::co_spawn(lane.worker, call([&sink, &work] { return work(sink); }),
                                      asio::use_awaitable);
  }

  asio::thread_pool queue_thread{1};
  WorkItemStore store;
  std::vector<std::unique_ptr<Lane>> lanes;
};

PgWorkQueue::PgWorkQueue(PgSinkOptions options, int commit_connections)
    : impl_(std::make_unique<Impl>(options, commit_connections)) {}

PgWorkQueue::~PgWorkQueue() {
  for (auto& lane : impl_->lanes)
    lane->worker.join();
  impl_->queue_thread.join();
}

int PgWorkQueue::commit_connections() const {
  return static_cast<int>(impl_->lanes.size());
}

int PgWorkQueue::release_leases_now(const std::string& owner) {
  return impl_->store.release_leases(owner);
}

// Each operation's parameters live in its coroutine frame until the thread is done with them,
// so the work borrows them (GCC 12 rule 4).

asio::awaitable<void> PgWorkQueue::register_source(std::string name, std::string account_sid) {
  WorkItemStore& store = impl_->store;
  co_await impl_->on_queue_thread([&store, &name, &account_sid] {
    store.register_source(name, account_sid);
    return 0;
  });
}

asio::awaitable<std::optional<UtcSeconds>> PgWorkQueue::latest_window_end(std::string source,
                                                                          WorkKind kind) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, &source, kind] { return store.latest_window_end(source, kind); });
}

asio::awaitable<int> PgWorkQueue::add_windows(std::string source, WorkKind kind,
                                              std::vector<PlannedWindow> windows) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, &source, kind, &windows] { return store.add_windows(source, kind, windows); });
}

asio::awaitable<std::vector<WorkItem>> PgWorkQueue::claim_due(ClaimRequest request) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, &request] { return store.claim_due(request); });
}

asio::awaitable<std::optional<WorkItem>> PgWorkQueue::reload(long long id, std::string owner) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, id, &owner] { return store.reload(id, owner); });
}

asio::awaitable<bool> PgWorkQueue::renew_lease(long long id, std::string owner, UtcSeconds until) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, id, &owner, until] { return store.renew_lease(id, owner, until); });
}

asio::awaitable<bool> PgWorkQueue::release(long long id, std::string owner) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, id, &owner] { return store.release(id, owner); });
}

asio::awaitable<CommitResult> PgWorkQueue::commit_page(WorkItemRef item, Page page,
                                                       std::optional<UtcSeconds> lease_until) {
  co_return co_await impl_->on_a_lane([&item, &page, lease_until](PgSink& sink) {
    return sink.commit_page(item, page, lease_until);
  });
}

asio::awaitable<CommitResult> PgWorkQueue::merge_rows(std::string source, Page page) {
  co_return co_await impl_->on_a_lane(
      [&source, &page](PgSink& sink) { return sink.merge_rows(source, page); });
}

asio::awaitable<bool> PgWorkQueue::finish_pass(long long id, std::string owner, FinishedPass pass) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, id, &owner, &pass] { return store.finish_pass(id, owner, pass); });
}

asio::awaitable<bool> PgWorkQueue::record_failure(long long id, std::string owner,
                                                  FailedAttempt attempt) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, id, &owner, &attempt] { return store.record_failure(id, owner, attempt); });
}

asio::awaitable<bool> PgWorkQueue::split_window(long long id, std::string owner,
                                                std::vector<TimeWindow> pieces, UtcSeconds now) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, id, &owner, &pieces, now] { return store.split_window(id, owner, pieces, now); });
}

asio::awaitable<std::vector<PartialCall>> PgWorkQueue::partial_calls_in(std::string source,
                                                                        TimeWindow window,
                                                                        int limit) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, &source, window, limit] { return store.partial_calls_in(source, window, limit); });
}

asio::awaitable<int> PgWorkQueue::mark_retention_expired(std::string source, TimeWindow window,
                                                         UtcSeconds now) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, &source, window, now] { return store.mark_retention_expired(source, window, now); });
}

asio::awaitable<WarehouseCensus> PgWorkQueue::census(UtcSeconds overdue_before) {
  WorkItemStore& store = impl_->store;
  co_return co_await impl_->on_queue_thread(
      [&store, overdue_before] { return store.census(overdue_before); });
}

}  // namespace insights
