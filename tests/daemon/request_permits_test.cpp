// The per-source request permits: never more than the limit in flight, live first.
#include "daemon/request_permits.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

namespace insights {
namespace {

namespace asio = boost::asio;

struct Trace {
  int in_flight = 0;
  int most_in_flight = 0;
  std::vector<std::string> order;  // who got a permit, in order
  int refused = 0;
};

// Takes a permit, holds it for `hold`, notes the peak concurrency.
asio::awaitable<void> request(RequestPermits& permits, RequestPriority priority, std::string name,
                              std::chrono::milliseconds hold, Trace& trace) {
  RequestPermit permit = co_await permits.acquire(priority);
  if (!permit) {
    ++trace.refused;
    co_return;
  }
  trace.order.push_back(name);
  trace.most_in_flight = std::max(trace.most_in_flight, ++trace.in_flight);
  asio::steady_timer timer(co_await asio::this_coro::executor, hold);
  co_await timer.async_wait(asio::use_awaitable);
  --trace.in_flight;
}

TEST(RequestPermits, NeverMoreInFlightThanTheLimit) {
  asio::io_context io;
  RequestPermits permits(io.get_executor(), [] { return 3; });
  Trace trace;
  for (int i = 0; i < 12; ++i) {
    std::string name = "b";  // appended, not "b" + a temporary (GCC 12 rule 5, development.md)
    name += std::to_string(i);
    asio::co_spawn(io,
                   request(permits, RequestPriority::backfill, std::move(name),
                           std::chrono::milliseconds(5), trace),
                   asio::detached);
  }
  io.run();
  EXPECT_EQ(trace.order.size(), 12u);
  EXPECT_EQ(trace.most_in_flight, 3);
  EXPECT_EQ(permits.in_use(), 0);
}

TEST(RequestPermits, AWaitingLiveRequestGoesBeforeEveryWaitingBackfillRequest) {
  asio::io_context io;
  RequestPermits permits(io.get_executor(), [] { return 1; });
  Trace trace;
  // b0 takes the only permit; b1..b3 queue; then the live request arrives.
  for (int i = 0; i < 4; ++i) {
    std::string name = "b";  // appended, not "b" + a temporary (GCC 12 rule 5, development.md)
    name += std::to_string(i);
    asio::co_spawn(io,
                   request(permits, RequestPriority::backfill, std::move(name),
                           std::chrono::milliseconds(5), trace),
                   asio::detached);
  }
  asio::co_spawn(
      io, request(permits, RequestPriority::live, "live", std::chrono::milliseconds(5), trace),
      asio::detached);
  io.run();
  const std::vector<std::string> expected{"b0", "live", "b1", "b2", "b3"};
  EXPECT_EQ(trace.order, expected);
}

TEST(RequestPermits, ALowerLimitTakesEffectAsPermitsComeBack) {
  asio::io_context io;
  int limit = 4;
  RequestPermits permits(io.get_executor(), [&limit] { return limit; });
  Trace trace;
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(
        io,
        request(permits, RequestPriority::backfill, "first", std::chrono::milliseconds(5), trace),
        asio::detached);
  }
  io.poll();  // the four are in flight
  EXPECT_EQ(trace.in_flight, 4);
  limit = 1;  // a pushback halved it twice
  trace.most_in_flight = 0;
  for (int i = 0; i < 6; ++i) {
    asio::co_spawn(
        io,
        request(permits, RequestPriority::backfill, "later", std::chrono::milliseconds(2), trace),
        asio::detached);
  }
  io.run();
  EXPECT_EQ(trace.order.size(), 10u);
  // The later six waited for the first four to come back, then went one at a time.
  EXPECT_EQ(trace.most_in_flight, 1);
}

TEST(RequestPermits, CancelAllEndsEveryWaitWithoutAPermit) {
  asio::io_context io;
  RequestPermits permits(io.get_executor(), [] { return 1; });
  Trace trace;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io, request(permits, RequestPriority::backfill, "b", std::chrono::milliseconds(20), trace),
        asio::detached);
  }
  io.poll();
  permits.cancel_all();
  io.run();
  EXPECT_EQ(trace.order.size(), 1u);
  EXPECT_EQ(trace.refused, 2);
  EXPECT_EQ(permits.in_use(), 0);
}

}  // namespace
}  // namespace insights
