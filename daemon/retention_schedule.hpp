#pragma once
// When `insights-sync run` applies [retention]: at start, then every `every` (an hour), on a
// thread and a database connection of its own (sink/summary_retention.hpp). The sync's event
// loop only awaits the result, and its database thread keeps committing pages between the
// short delete batches, so a first run over years of rows does not hold the sync up.
// One info line per run (rows deleted, batches, time) and insights_retention_rows_deleted_total.
//
//   RetentionSchedule retention(io.get_executor(), conninfo, options, clock, &metrics);
//   retention.start();   // on the loop's thread
//   ...
//   retention.stop();    // the batch in progress commits, then the schedule ends
//
// Threading: start() and stop() on the event loop's thread; the loop's run() does not return
// before the schedule has ended (stop() it when the sync ends). The destructor waits for its
// thread. Errors: a failed run is logged as a warning and tried again after five minutes.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <stop_token>
#include <string>

#include "core/clock.hpp"
#include "core/retention_options.hpp"
#include "sink/summary_retention.hpp"

namespace insights {

class SyncMetrics;

class RetentionSchedule {
 public:
  RetentionSchedule(boost::asio::any_io_executor loop, std::string conninfo,
                    RetentionOptions options, const Clock& clock, SyncMetrics* metrics,
                    std::chrono::seconds every = std::chrono::hours(1));
  ~RetentionSchedule();
  RetentionSchedule(const RetentionSchedule&) = delete;
  RetentionSchedule& operator=(const RetentionSchedule&) = delete;

  void start();
  void stop();

 private:
  boost::asio::awaitable<void> repeat();
  // One run; true when it did not fail.
  boost::asio::awaitable<bool> run_once();

  boost::asio::any_io_executor loop_;
  RetentionOptions options_;
  const Clock& clock_;
  SyncMetrics* metrics_;
  std::chrono::seconds every_;
  SummaryRetention retention_;
  boost::asio::steady_timer timer_;
  std::stop_source stop_;
  boost::asio::thread_pool worker_{1};
};

}  // namespace insights
