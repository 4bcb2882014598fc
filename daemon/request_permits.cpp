#include "daemon/request_permits.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace insights {
namespace asio = boost::asio;

// A suspended acquire(): woken by cancelling its timer, granted or not.
struct RequestPermits::Waiter {
  asio::steady_timer timer;
  bool granted = false;
};

RequestPermit& RequestPermit::operator=(RequestPermit&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

void RequestPermit::release() {
  if (owner_ != nullptr)
    owner_->give_back();
  owner_ = nullptr;
}

RequestPermits::RequestPermits(asio::any_io_executor executor, std::function<int()> limit)
    : executor_(std::move(executor)), limit_(std::move(limit)) {}

asio::awaitable<RequestPermit> RequestPermits::acquire(RequestPriority priority) {
  const bool live = priority == RequestPriority::live;
  // Free, and nobody of the same or higher priority is waiting: take it.
  if (in_use_ < limit_() && live_waiting_.empty() && (live || backfill_waiting_.empty())) {
    ++in_use_;
    co_return RequestPermit(this);
  }
  Waiter waiter{asio::steady_timer(executor_, asio::steady_timer::time_point::max())};
  (live ? live_waiting_ : backfill_waiting_).push_back(&waiter);
  boost::system::error_code ignored;  // the timer only ever ends by cancel()
  co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  co_return waiter.granted ? RequestPermit(this) : RequestPermit();
}

void RequestPermits::cancel_all() {
  for (auto* queue : {&live_waiting_, &backfill_waiting_}) {
    for (Waiter* waiter : *queue)
      waiter->timer.cancel();
    queue->clear();
  }
}

void RequestPermits::give_back() {
  --in_use_;
  grant_waiting();
}

void RequestPermits::grant_waiting() {
  while (in_use_ < limit_()) {
    auto& queue = !live_waiting_.empty() ? live_waiting_ : backfill_waiting_;
    if (queue.empty())
      return;
    Waiter* waiter = queue.front();
    queue.pop_front();
    waiter->granted = true;
    ++in_use_;
    waiter->timer.cancel();
  }
}

}  // namespace insights
