#pragma once
// The API requests one source may have in flight, shared by its live tail and its backfills:
// at most `limit()` at once (the source's adaptive concurrency), and a waiting live-tail
// request always goes before a waiting backfill request, so freshness does not suffer while a
// month is being backfilled.
//
//   RequestPermits permits(executor, [&] { return concurrency.limit(); });
//   RequestPermit permit = co_await permits.acquire(RequestPriority::live);
//   if (!permit) co_return;  // cancel_all(): stopping
//   ... the request ...      // the permit is returned when it goes out of scope
//
// Threading: one executor (single-threaded io_context); not thread-safe.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <deque>
#include <functional>

namespace insights {

enum class RequestPriority { live, backfill };

class RequestPermits;

// A held permit, returned on destruction (or release()). Empty when the wait was cancelled.
class RequestPermit {
 public:
  RequestPermit() = default;
  explicit RequestPermit(RequestPermits* owner) : owner_(owner) {}
  RequestPermit(RequestPermit&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
  RequestPermit& operator=(RequestPermit&& other) noexcept;
  RequestPermit(const RequestPermit&) = delete;
  RequestPermit& operator=(const RequestPermit&) = delete;
  ~RequestPermit() { release(); }

  explicit operator bool() const { return owner_ != nullptr; }
  void release();

 private:
  RequestPermits* owner_ = nullptr;
};

class RequestPermits {
 public:
  RequestPermits(boost::asio::any_io_executor executor, std::function<int()> limit);

  boost::asio::awaitable<RequestPermit> acquire(RequestPriority priority);

  // Ends every wait with an empty permit (shutting down).
  void cancel_all();

  int in_use() const { return in_use_; }

 private:
  friend class RequestPermit;
  struct Waiter;

  void give_back();
  void grant_waiting();

  boost::asio::any_io_executor executor_;
  std::function<int()> limit_;
  int in_use_ = 0;
  std::deque<Waiter*> live_waiting_;
  std::deque<Waiter*> backfill_waiting_;
};

}  // namespace insights
