#include "daemon/window_planner.hpp"

#include <algorithm>
#include <cmath>

namespace insights {
namespace {

// A window is cut into at most this many pieces at once; a piece still too busy is cut again
// on its own first read.
constexpr long long kMaxSplitPieces = 32;

std::chrono::seconds window_length(const SyncOptions& options) {
  return std::chrono::minutes(options.window_minutes);
}

}  // namespace

UtcSeconds window_floor(UtcSeconds time, const SyncOptions& options) {
  const auto length = window_length(options).count();
  const auto since_epoch = time.time_since_epoch().count();
  // Floor division, correct for instants before 1970 too.
  const auto index = since_epoch >= 0 ? since_epoch / length : -((-since_epoch - 1) / length) - 1;
  return UtcSeconds(std::chrono::seconds(index * length));
}

std::vector<TimeWindow> live_windows_to_add(std::optional<UtcSeconds> latest_end, UtcSeconds now,
                                            const SyncOptions& options) {
  UtcSeconds start =
      latest_end ? *latest_end
                 : window_floor(now - std::chrono::hours(options.initial_lookback_hours), options);
  std::vector<TimeWindow> windows;
  while (start <= now) {
    const UtcSeconds end = start + window_length(options);
    windows.push_back({start, end});
    start = end;
  }
  return windows;
}

std::vector<TimeWindow> split_busy_window(const TimeWindow& window, UtcSeconds earliest,
                                          UtcSeconds latest, long long rows,
                                          const SyncOptions& options) {
  if (options.split_above_pages == 0 || rows < 2)
    return {};
  const auto length = window.end - window.start;
  const long long minutes = std::chrono::duration_cast<std::chrono::minutes>(length).count();
  // One page covered `span` of the window. Calls that started before it (found by their end
  // time, or long calls) say nothing about how the window's own time is filled, hence the
  // clamp; at least a second, so a burst of calls that all started in the same second reads
  // as "very busy" rather than dividing by zero.
  const auto first = std::clamp(earliest, window.start, window.end);
  const auto last = std::clamp(latest, window.start, window.end);
  const auto span = std::max(last - first, std::chrono::seconds(1));
  const double estimated_rows = static_cast<double>(rows - 1) *
                                static_cast<double>(length.count()) /
                                static_cast<double>(span.count());
  const double estimated_pages = estimated_rows / static_cast<double>(rows);
  if (estimated_pages <= options.split_above_pages || minutes < 2)
    return {};
  const long long wanted =
      static_cast<long long>(std::ceil(estimated_pages / options.split_above_pages));
  const long long pieces = std::clamp(wanted, 2LL, std::min(minutes, kMaxSplitPieces));
  const auto piece = std::chrono::minutes((minutes + pieces - 1) / pieces);
  std::vector<TimeWindow> result;
  for (UtcSeconds start = window.start; start < window.end; start += piece)
    result.push_back({start, std::min(start + piece, window.end)});
  return result;
}

UtcSeconds settle_horizon(const TimeWindow& window, const SyncOptions& options) {
  return window.end + std::chrono::minutes(options.settle_after_minutes);
}

UtcSeconds first_read_due(const TimeWindow& window, UtcSeconds now, const SyncOptions& options) {
  if (options.schedule == LiveSchedule::fresh)
    return now;
  return std::max(now, window.end + std::chrono::minutes(options.first_read_after_minutes));
}

std::chrono::minutes overdue_partial_after(const SyncOptions& options) {
  const std::chrono::minutes completion(options.completion_delay_minutes);
  if (options.schedule == LiveSchedule::fresh)
    return completion;
  if (options.schedule == LiveSchedule::live) {
    // The edge poll notices a completion within a poll and reads it back within a completion
    // read interval; five minutes more for those reads to run.
    const auto reads =
        std::chrono::seconds(options.edge_poll_seconds + options.completion_read_seconds);
    return completion + std::chrono::ceil<std::chrono::minutes>(reads) + std::chrono::minutes(5);
  }
  return std::max(completion,
                  std::chrono::minutes(options.window_minutes + options.settle_after_minutes));
}

std::chrono::seconds promised_lag(const SyncOptions& options) {
  constexpr std::chrono::minutes kPassTime{5};
  if (options.schedule == LiveSchedule::fresh)
    return std::chrono::seconds(options.poll_interval_seconds) + kPassTime;
  return std::chrono::minutes(options.window_minutes + options.first_read_after_minutes) +
         kPassTime;
}

UtcSeconds parked_retry_due(UtcSeconds now, const SyncOptions& options) {
  if (options.parked_retry_seconds <= 0)
    return kNeverDue;
  return now + std::chrono::seconds(options.parked_retry_seconds);
}

std::optional<UtcSeconds> next_annotation_pass(const TimeWindow& window, UtcSeconds after,
                                               const SyncOptions& options) {
  if (options.annotation_pass_after_hours == 0)
    return std::nullopt;
  const UtcSeconds last = window.start + kTwilioRetention - std::chrono::hours(1);
  UtcSeconds pass =
      settle_horizon(window, options) + std::chrono::hours(options.annotation_pass_after_hours);
  for (int made = 1; pass < last; ++made) {
    if (pass > after)
      return pass;
    if (made < options.annotation_daily_passes) {
      pass += std::chrono::hours(24);
    } else if (options.annotation_pass_interval_days > 0) {
      pass += std::chrono::days(options.annotation_pass_interval_days);
    } else {
      return std::nullopt;
    }
  }
  // The next one would be too close to the retention's end (or past it): read an hour before.
  if (last > after)
    return last;
  return std::nullopt;
}

PassDecision decide_after_pass(const PassSummary& pass, const SyncOptions& options) {
  const UtcSeconds horizon = settle_horizon(pass.window, options);
  // A pass sees every edit made before it began: the next annotation pass is the first one
  // scheduled after that (for an old window's first read, e.g. a backfill, a later one).
  const std::optional<UtcSeconds> annotation_pass_at =
      next_annotation_pass(pass.window, pass.pass_started, options);
  const PassDecision settled{
      AfterPass::settle, annotation_pass_at ? std::max(pass.now, *annotation_pass_at) : pass.now,
      !annotation_pass_at};
  if (pass.annotation_pass)
    return settled;
  const auto reread = std::chrono::seconds(options.reread_interval_seconds);
  if (pass.pass_started < horizon) {
    // Economical: one more read, at the horizon. It finds the calls that were still running and
    // the summaries that were still partial, whatever their number, for one request per page.
    // (live reads windows the same way; its edge poll brings the fresh data.)
    if (options.schedule != LiveSchedule::fresh)
      return {AfterPass::keep_open, std::max(pass.now, horizon), false};
    // Calls may still appear or change: read again, often while the window holds "now".
    const auto interval =
        pass.window.end > pass.now ? std::chrono::seconds(options.poll_interval_seconds) : reread;
    // The first pass after the horizon settles the window, so schedule one right there.
    UtcSeconds next = std::max(pass.now, std::min(horizon, pass.now + interval));
    // Partial rows due to complete before that: read again when they are due (but not sooner
    // than a poll interval, so a summary Twilio is late with cannot cause a busy loop).
    if (pass.partial_rows > 0 && pass.earliest_partial_end) {
      const UtcSeconds due =
          *pass.earliest_partial_end + std::chrono::minutes(options.completion_delay_minutes);
      next = std::min(
          next, std::max(due, pass.now + std::chrono::seconds(options.poll_interval_seconds)));
    }
    return {AfterPass::keep_open, next, false};
  }
  if (pass.partial_rows == 0)
    return settled;
  // Twilio drops calls after 30 days; a partial row the next read cannot reach never completes.
  if (pass.window.start + kTwilioRetention <= pass.now + reread)
    return {AfterPass::expire_partials, pass.now, true};
  const int pages = std::max(1, (pass.rows + kRowsPerPage - 1) / kRowsPerPage);
  if (pass.partial_rows <= options.straggler_limit && pass.partial_rows < pages)
    return {AfterPass::fetch_stragglers, pass.now + reread, false};
  return {AfterPass::keep_open, pass.now + reread, false};
}

}  // namespace insights
