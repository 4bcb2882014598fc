#pragma once
// Runs one awaitable operation to completion on a private event loop and returns its result:
// a test's own steps (plan a window, claim it, read a page) between the runs it checks.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace insights::testing {

template <typename T>
T run_now(boost::asio::awaitable<T> operation) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(operation), boost::asio::use_future);
  io.run();
  return result.get();
}

}  // namespace insights::testing
