#include "daemon/retention_schedule.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "daemon/sync_metrics.hpp"

namespace insights {
namespace asio = boost::asio;

namespace {

// After a failure (the database away, say) the next try comes sooner than the next hour.
constexpr std::chrono::seconds kRetryAfterFailure = std::chrono::minutes(5);

// A coroutine function rather than a capturing lambda (GCC 12 rule 3, docs/development.md).
asio::awaitable<RetentionRun> delete_on_worker(SummaryRetention* retention, UtcSeconds cutoff,
                                               std::stop_token stop) {
  co_return retention->delete_older_than(cutoff, std::move(stop));
}

}  // namespace

RetentionSchedule::RetentionSchedule(asio::any_io_executor loop, std::string conninfo,
                                     RetentionOptions options, const Clock& clock,
                                     SyncMetrics* metrics, std::chrono::seconds every)
    : loop_(loop),
      options_(options),
      clock_(clock),
      metrics_(metrics),
      every_(every),
      retention_(std::move(conninfo)),
      timer_(loop) {}

RetentionSchedule::~RetentionSchedule() {
  worker_.join();
}

void RetentionSchedule::start() {
  spdlog::info("retention: summaries of calls older than {} days are deleted now and every {} s",
               options_.delete_after_days, every_.count());
  if (const auto warning = retention_warning(options_))
    spdlog::warn("{}", *warning);
  asio::co_spawn(loop_, repeat(), [](std::exception_ptr error) {
    if (!error)
      return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("retention: stopped by an internal error: {}", e.what());
    }
  });
}

void RetentionSchedule::stop() {
  stop_.request_stop();
  timer_.cancel();
}

asio::awaitable<void> RetentionSchedule::repeat() {
  while (!stop_.stop_requested()) {
    const bool succeeded = co_await run_once();
    if (stop_.stop_requested())
      break;
    timer_.expires_after(succeeded ? every_ : std::min(every_, kRetryAfterFailure));
    boost::system::error_code cancelled;  // stop() cancels the wait
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
  }
}

asio::awaitable<bool> RetentionSchedule::run_once() {
  const auto started = std::chrono::steady_clock::now();
  const UtcSeconds cutoff = clock_.now() - std::chrono::days(options_.delete_after_days);
  RetentionRun run;
  std::string failure;
  try {
    run = co_await asio::co_spawn(worker_, delete_on_worker(&retention_, cutoff, stop_.get_token()),
                                  asio::use_awaitable);
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (!failure.empty()) {
    spdlog::warn("{}; trying again in {} s", failure, std::min(every_, kRetryAfterFailure).count());
    co_return false;
  }
  if (run.skipped) {
    spdlog::debug("retention: another instance is deleting old summaries; skipped this run");
    co_return true;
  }
  if (metrics_ != nullptr)
    metrics_->retention_deleted(run.rows_deleted);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("retention: deleted {} summar{} of calls before {} in {} batch{} ({:.1f} s){}",
               run.rows_deleted, run.rows_deleted == 1 ? "y" : "ies", format_utc(cutoff),
               run.batches, run.batches == 1 ? "" : "es", seconds,
               run.stopped ? "; stopped for shutdown, the rest at the next run" : "");
  co_return true;
}

}  // namespace insights
