#include "daemon/source_sync.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/page_trail.hpp"
#include "daemon/sync_metrics.hpp"
#include "daemon/unknown_enum_values.hpp"
#include "daemon/window_planner.hpp"

namespace insights {
namespace {

namespace asio = boost::asio;

// How long the `run` loop sleeps at most between looks at the queue (other instances may add
// or free work; the clock may have been moved by a test).
constexpr std::chrono::milliseconds kIdleWait{1000};

std::string describe(const TimeWindow& window) {
  return format_utc(window.start) + ".." + format_utc(window.end);
}

// The failure policy's decision as the work queue records it.
FailedAttempt attempt_of(const std::string& message, const FailureDecision& decision,
                         UtcSeconds now) {
  const bool retry = decision.action == FailureAction::retry;
  return FailedAttempt{.error = message,
                       .retry = retry,
                       .lease_until = decision.lease_until,
                       .restart_pass = retry && decision.restart_pass,
                       .park = decision.action == FailureAction::park,
                       .due = decision.due,
                       .now = now};
}

}  // namespace

SourceSync::SourceSync(asio::any_io_executor executor, SourceSyncSetup setup)
    : executor_(executor),
      setup_(std::move(setup)),
      concurrency_(1, setup_.concurrency),
      wake_timer_(executor),
      permits_(executor, [this] { return concurrency_.limit(); }),
      random_(std::random_device{}()) {
  if (setup_.options.schedule == LiveSchedule::live && !setup_.only_within) {
    edge_ = std::make_unique<LiveEdge>(LiveEdgeSetup{.source = setup_.source,
                                                     .filters = setup_.filters,
                                                     .options = setup_.options,
                                                     .clock = setup_.clock,
                                                     .api = setup_.api,
                                                     .work_queue = setup_.work_queue,
                                                     .permits = &permits_,
                                                     .concurrency = &concurrency_,
                                                     .metrics = setup_.metrics});
  }
}

std::optional<UtcSeconds> SourceSync::next_edge_due() const {
  if (!edge_)
    return std::nullopt;
  return edge_->next_due();
}

std::optional<LiveEdgeTally> SourceSync::edge_tally() const {
  if (!edge_)
    return std::nullopt;
  return edge_->tally();
}

void SourceSync::stop() {
  stopping_ = true;
  if (edge_)
    edge_->stop();
  for (auto* timer : sleeping_)
    timer->cancel();  // backoff waits end now; their windows are released
  permits_.cancel_all();
  wake();
}

void SourceSync::wake() {
  woken_ = true;
  wake_timer_.cancel();
}

UtcSeconds SourceSync::lease_until() const {
  return setup_.clock->now() + std::chrono::seconds(setup_.options.lease_seconds);
}

asio::awaitable<void> SourceSync::wait_for_wake(std::chrono::milliseconds at_most) {
  if (woken_) {
    woken_ = false;
    co_return;
  }
  wake_timer_.expires_after(at_most);
  boost::system::error_code ignored;  // cancelled by wake(), or expired: both mean "look again"
  co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  woken_ = false;
}

asio::awaitable<void> SourceSync::sleep_for(std::chrono::milliseconds delay) {
  if (stopping_)
    co_return;
  asio::steady_timer timer(executor_, delay);
  sleeping_.insert(&timer);
  boost::system::error_code ignored;  // cancelled by stop(): wake up early
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  sleeping_.erase(&timer);
}

asio::awaitable<SourceSyncReport> SourceSync::run(RunMode mode) {
  report_ = {};
  done_this_run_.clear();
  bool edge_started = false;
  while (!stopping_) {
    try {
      co_await register_source();
      if (!edge_started) {
        edge_started = true;
        start_edge(mode);
      }
      co_await plan_live_windows();
      // `once` ends when a claim sized for an idle source finds nothing. A claim made while
      // windows were in flight was sized for them, and they may have ended while it was
      // awaited: then look again.
      const bool idle_before_claim = in_flight_.empty();
      const int started = co_await claim_and_start(mode);
      if (mode == RunMode::once && started == 0 && idle_before_claim && in_flight_.empty())
        break;
    } catch (const SyncError& error) {
      // The database is unreachable or refused a statement: the windows in flight retry on
      // their own; planning and claiming try again after a pause.
      if (stops_source(error.kind()) || mode == RunMode::once) {
        report_.fatal_error = error.what();
        report_.database_unavailable = error.facts().database;
        stopping_ = true;
        break;
      }
      spdlog::warn("source {}: {}; trying again", setup_.source, error.what());
    }
    if (report_.fatal_error)
      break;
    co_await wait_for_wake(kIdleWait);
  }
  while (!in_flight_.empty() || edge_running_)
    co_await wait_for_wake(kIdleWait);
  co_return report_;
}

void SourceSync::start_edge(RunMode mode) {
  if (!edge_ || edge_running_)
    return;
  edge_running_ = true;
  asio::co_spawn(executor_, run_edge(mode), [this](std::exception_ptr) {
    edge_running_ = false;
    wake();
  });
}

void SourceSync::stop_for_edge_error(const SyncError& error) {
  if (report_.fatal_error)
    return;  // the windows met it first and said so
  report_.fatal_error = std::string("live edge: ") + error.what();
  report_.database_unavailable = error.facts().database;
  stopping_ = true;
  permits_.cancel_all();
  spdlog::error("source {}: live edge: {}; this source stops until the problem is fixed",
                setup_.source, error.what());
  wake();
}

asio::awaitable<void> SourceSync::run_edge(RunMode mode) {
  try {
    while (!stopping_) {
      const UtcSeconds now = setup_.clock->now();
      if (now >= edge_->next_due()) {
        co_await edge_->step();
        if (edge_->fatal_error()) {
          stop_for_edge_error(*edge_->fatal_error());
          break;
        }
        if (mode == RunMode::once)
          break;
      } else if (mode == RunMode::once) {
        break;
      } else {
        co_await sleep_for(kIdleWait);  // the clock may be a test's: look at it every second
      }
    }
  } catch (const std::exception& error) {
    spdlog::critical("source {}: live edge: internal error: {}", setup_.source, error.what());
  }
}

asio::awaitable<void> SourceSync::register_source() {
  if (registered_)
    co_return;
  co_await setup_.work_queue->register_source(setup_.source, setup_.account_sid);
  registered_ = true;
}

asio::awaitable<void> SourceSync::plan_live_windows() {
  if (setup_.only_within)
    co_return;
  const UtcSeconds now = setup_.clock->now();
  if (latest_live_end_ && *latest_live_end_ > now)
    co_return;
  latest_live_end_ = co_await setup_.work_queue->latest_window_end(setup_.source, WorkKind::live);
  const auto windows = live_windows_to_add(latest_live_end_, now, setup_.options);
  if (windows.empty())
    co_return;
  std::vector<PlannedWindow> planned;
  for (const auto& window : windows)
    planned.push_back({window, first_read_due(window, now, setup_.options)});
  const int added =
      co_await setup_.work_queue->add_windows(setup_.source, WorkKind::live, std::move(planned));
  latest_live_end_ = windows.back().end;
  if (added > 0) {
    spdlog::info("source {}: live tail planned {} window{} up to {}", setup_.source, added,
                 added == 1 ? "" : "s", format_utc(windows.back().end));
  }
}

asio::awaitable<int> SourceSync::claim_and_start(RunMode mode) {
  if (stopping_)
    co_return 0;
  // Live windows first, each kind up to its own cap: a backfill never takes the live tail's
  // place, and its windows wait for request permits behind the live tail's.
  // (Windows may end while a claim is awaited, so these counts can be stale: run() looks again.)
  const int live = static_cast<int>(live_in_flight_.size());
  const int backfill = static_cast<int>(in_flight_.size()) - live;
  int started = co_await claim_kind(mode, WorkKind::live, setup_.concurrency - live);
  started += co_await claim_kind(mode, WorkKind::backfill, 2 * setup_.concurrency - backfill);
  co_return started;
}

asio::awaitable<int> SourceSync::claim_kind(RunMode mode, WorkKind kind, int limit) {
  if (limit <= 0 || stopping_)
    co_return 0;
  ClaimRequest request{.source = setup_.source,
                       .owner = setup_.owner,
                       .now = setup_.clock->now(),
                       .lease_seconds = setup_.options.lease_seconds,
                       .limit = limit,
                       .exclude = in_flight_,
                       .kind = kind,
                       .within = setup_.only_within};
  // `once` reads each due window once: windows it already finished are not due again.
  request.exclude.insert(done_this_run_.begin(), done_this_run_.end());
  const auto claimed = co_await setup_.work_queue->claim_due(std::move(request));
  for (const auto& item : claimed) {
    in_flight_.insert(item.id);
    if (item.kind == WorkKind::live)
      live_in_flight_.insert(item.id);
    asio::co_spawn(executor_, work_on(item, mode), asio::detached);
  }
  co_return static_cast<int>(claimed.size());
}

RequestPriority SourceSync::priority_of(const WorkItem& item) {
  return item.kind == WorkKind::live ? RequestPriority::live : RequestPriority::backfill;
}

asio::awaitable<void> SourceSync::work_on(WorkItem item, RunMode mode) {
  PassTally tally;
  FailureCounts counts;
  while (true) {
    std::optional<Failure> failure;
    try {
      if (counts.in_a_row > 0) {
        // The outcome of the failed step is unknown (a commit whose answer was lost may have
        // landed): continue from what the queue says.
        auto current = co_await setup_.work_queue->reload(item.id, setup_.owner);
        if (!current) {
          spdlog::info("source {}: window {} is no longer leased by {}; leaving it", setup_.source,
                       describe(item.window), setup_.owner);
          break;
        }
        item = std::move(*current);
        // What this process saw of the pass so far holds only if the pass goes on.
        if (!item.cursor)
          tally = {};
      }
      // (GCC 12 rule 1, docs/development.md: no co_await inside ?:.)
      PassOutcome outcome = PassOutcome::finished;
      if (!item.pass_undecided)
        outcome = co_await read_pass(item, tally);
      if (outcome == PassOutcome::finished)
        co_await finish_pass(item, tally);
      else if (outcome == PassOutcome::stopped)
        co_await release(item);
      // split: the window is gone; its pieces are due in the queue.
    } catch (const StaleWorkItemError& error) {
      spdlog::info("source {}: {}", setup_.source, error.what());
    } catch (const SyncError& error) {
      failure = Failure::of(error);
    } catch (const std::exception& error) {
      spdlog::critical("source {}: window {}: internal error: {}", setup_.source,
                       describe(item.window), error.what());
      report_.windows_given_up++;
    }
    // (co_await is not allowed inside a catch handler, hence the Failure value.)
    if (!failure)
      break;
    counts = counted(counts, *failure);
    const bool again = co_await on_failure(item, *failure, counts, mode);
    if (!again)
      break;
  }
  if (stopping_) {
    // Shutting down: hand the window back now rather than when its lease expires (a no-op
    // when the pass already finished and released it).
    try {
      co_await release(item);
    } catch (const SyncError& error) {
      spdlog::debug("source {}: could not release a lease: {}", setup_.source, error.what());
    }
  }
  in_flight_.erase(item.id);
  live_in_flight_.erase(item.id);
  if (mode == RunMode::once)
    done_this_run_.insert(item.id);
  wake();
}

asio::awaitable<SourceSync::PassOutcome> SourceSync::read_pass(WorkItem& item, PassTally& tally) {
  const WindowRequest request{.filters = setup_.filters,
                              .start = item.window.start,
                              .end = item.window.end,
                              .processing_state = ProcessingStateParam::all,
                              .sort_by = SortByParam::start_time,
                              .page_size = kRowsPerPage};
  PageTrail trail(item.cursor);
  while (true) {
    if (stopping_)
      co_return PassOutcome::stopped;
    const auto asked = std::chrono::steady_clock::now();
    RequestPermit permit = co_await permits_.acquire(priority_of(item));
    if (!permit)
      co_return PassOutcome::stopped;
    // A long wait behind other windows' requests (pushback lowered the limit) must not let
    // the lease run out: renew it before the request rather than lose the page after.
    if (std::chrono::steady_clock::now() - asked >
        std::chrono::seconds(setup_.options.lease_seconds) / 3) {
      co_await renew_lease(item);
    }
    Page page = co_await setup_.api->list_page(request, item.cursor);
    permit.release();  // the commit below needs no request: let another window's go out
    concurrency_.on_success();
    if (setup_.metrics) {
      setup_.metrics->request(setup_.source, 200);
      setup_.metrics->page_fetched(setup_.source, page.rows.size());
    }
    const bool split = co_await split_if_busy(item, page);  // (GCC 12 rule 1)
    if (split)
      co_return PassOutcome::split;
    if (!page.unknown_keys.empty() && !unknown_keys_logged_) {
      unknown_keys_logged_ = true;
      std::string keys;
      for (const auto& key : page.unknown_keys)
        keys += (keys.empty() ? "" : ", ") + key;
      spdlog::warn(
          "source {}: summaries carry fields this version does not know ({}); they are kept "
          "in call_summaries.extra (logged once)",
          setup_.source, keys);
    }
    note_unknown_enum_values(page);
    note_partial_rows(page, tally);
    const WorkItemRef ref{item.id, item.passes_completed, item.cursor, setup_.owner};
    const bool last = page.is_last();
    std::optional<std::string> next = page.meta.next_page_url;
    if (next)
      trail.follow(*next);  // a loop parks the window before this page is committed
    // The commit checks the lease is still ours (StaleWorkItemError when not) and renews it.
    const CommitResult result =
        co_await setup_.work_queue->commit_page(ref, std::move(page), lease_until());
    item.pass_rows += result.distinct_rows;
    item.pass_partial_rows += result.partial_rows;
    if (setup_.metrics) {
      setup_.metrics->rows_written(setup_.source, result);
      setup_.metrics->committed(setup_.source);
    }
    tally.inserted += result.inserted;
    tally.updated += result.updated;
    report_.rows_inserted += result.inserted;
    report_.rows_updated += result.updated;
    if (last) {
      item.passes_completed++;
      item.cursor.reset();
      co_return PassOutcome::finished;
    }
    item.cursor = std::move(next);
  }
}

asio::awaitable<void> SourceSync::renew_lease(const WorkItem& item) {
  const bool still_mine =
      co_await setup_.work_queue->renew_lease(item.id, setup_.owner, lease_until());
  if (!still_mine)
    throw StaleWorkItemError("window " + describe(item.window) + " lost its lease; stopping");
}

asio::awaitable<bool> SourceSync::split_if_busy(const WorkItem& item, const Page& page) {
  if (item.kind != WorkKind::backfill || item.passes_completed > 0 || item.cursor || page.is_last())
    co_return false;
  std::optional<UtcSeconds> earliest, latest;
  long long rows = 0;
  for (const auto& row : page.rows) {
    const auto start = row.start_time ? parse_utc(*row.start_time) : std::nullopt;
    if (!start)
      continue;
    ++rows;
    earliest = earliest ? std::min(*earliest, *start) : *start;
    latest = latest ? std::max(*latest, *start) : *start;
  }
  if (!earliest)
    co_return false;
  const auto pieces = split_busy_window(item.window, *earliest, *latest, rows, setup_.options);
  if (pieces.empty())
    co_return false;
  const bool split =
      co_await setup_.work_queue->split_window(item.id, setup_.owner, pieces, setup_.clock->now());
  if (!split)
    throw StaleWorkItemError("window " + describe(item.window) + " lost its lease; stopping");
  report_.windows_split++;
  spdlog::info(
      "source {}: backfill window {} is busy ({} calls on its first page span {} s); "
      "split into {} windows read in parallel",
      setup_.source, describe(item.window), page.rows.size(), (*latest - *earliest).count(),
      pieces.size());
  co_return true;
}

void SourceSync::note_partial_rows(const Page& page, PassTally& tally) {
  for (const auto& row : page.rows) {
    if (row.is_complete() || !row.end_time)
      continue;
    const auto end = parse_utc(*row.end_time);
    if (end && (!tally.earliest_partial_end || *end < *tally.earliest_partial_end))
      tally.earliest_partial_end = end;
  }
}

void SourceSync::note_unknown_enum_values(const Page& page) {
  for (const auto& row : page.rows) {
    for (auto& unknown : unknown_enum_values(row)) {
      report_.unknown_enum_values++;
      std::string key = std::string(unknown.field) + "=" + unknown.value;
      if (unknown_enum_values_logged_.insert(key).second) {
        spdlog::warn(
            "source {}: {} has a value this version does not know (\"{}\", e.g. call {}); it is "
            "stored as sent (logged once per value)",
            setup_.source, unknown.field, unknown.value, row.call_sid);
      }
    }
  }
}

asio::awaitable<void> SourceSync::release(const WorkItem& item) {
  co_await setup_.work_queue->release(item.id, setup_.owner);
}

asio::awaitable<void> SourceSync::finish_pass(const WorkItem& item, const PassTally& tally) {
  report_.passes_finished++;
  PassSummary pass{.window = item.window,
                   .pass_started = item.pass_started_at,
                   .now = setup_.clock->now(),
                   .rows = item.pass_rows,
                   .partial_rows = item.pass_partial_rows,
                   .earliest_partial_end = tally.earliest_partial_end,
                   .annotation_pass = item.state == WorkState::settled};
  PassDecision decision = decide_after_pass(pass, setup_.options);
  const std::string& source = setup_.source;
  if (decision.action == AfterPass::fetch_stragglers) {
    pass.partial_rows = co_await fetch_stragglers(item);
    decision = decide_after_pass(pass, setup_.options);
    if (decision.action == AfterPass::fetch_stragglers)
      decision.action = AfterPass::keep_open;  // some are still partial: try again later
  }
  if (decision.action == AfterPass::expire_partials) {
    const int expired =
        co_await setup_.work_queue->mark_retention_expired(source, item.window, pass.now);
    spdlog::warn(
        "source {}: window {}: {} partial row{} can no longer complete within Twilio's 30-day "
        "retention; marked (call_summaries.retention_expired_at)",
        source, describe(item.window), expired, expired == 1 ? "" : "s");
    decision.action = AfterPass::settle;
  }
  const bool settled = decision.action == AfterPass::settle;
  if (settled && !pass.annotation_pass)
    report_.windows_settled++;
  co_await setup_.work_queue->finish_pass(
      item.id, setup_.owner,
      FinishedPass{.settled = settled,
                   .next_due = decision.next_due,
                   .annotation_pass_done = decision.annotation_pass_done,
                   .now = pass.now});
  // One line per window read, with its counts (journald: SOURCE= and WINDOW= fields).
  spdlog::info(
      "source {}: window {} read (pass {}): {} rows, {} partial, {} inserted, {} updated; {}, "
      "next pass {}",
      source, describe(item.window), item.passes_completed, item.pass_rows, item.pass_partial_rows,
      tally.inserted, tally.updated, settled ? "settled" : "open",
      decision.annotation_pass_done ? "none" : format_utc(decision.next_due));
}

asio::awaitable<int> SourceSync::fetch_stragglers(const WorkItem& item) {
  const int limit = setup_.options.straggler_limit + 1;
  const auto calls =
      co_await setup_.work_queue->partial_calls_in(setup_.source, item.window, limit);
  const int partial = static_cast<int>(calls.size());
  if (partial >= limit)
    co_return partial;  // more than expected: a re-read is cheaper
  int still_partial = 0;
  for (const auto& call : calls) {
    RequestPermit permit = co_await permits_.acquire(priority_of(item));
    if (!permit)
      co_return partial;  // stopping: the window stays open
    std::optional<Page> page = co_await setup_.api->complete_summary(call.call_sid);
    permit.release();
    if (setup_.metrics)
      setup_.metrics->request(setup_.source, 200);
    if (!page) {
      ++still_partial;
      continue;
    }
    co_await setup_.work_queue->merge_rows(setup_.source, std::move(*page));
    report_.stragglers_fetched++;
  }
  co_return still_partial;
}

asio::awaitable<bool> SourceSync::on_failure(const WorkItem& item, const Failure& failure,
                                             FailureCounts counts, RunMode mode) {
  const UtcSeconds now = setup_.clock->now();
  const FailureDecision decision =
      decide_after_failure(failure, counts, mode, setup_.options, setup_.backoff,
                           std::uniform_real_distribution<double>(0.0, 1.0)(random_), now);
  if (setup_.metrics && failure.facts.http_status)
    setup_.metrics->request(setup_.source, *failure.facts.http_status, failure.facts.twilio_code);
  const std::string window = describe(item.window);
  const std::string& message = failure.message;
  const int failures = counts.in_a_row;

  if (decision.action == FailureAction::retry) {
    // Transient: note it (status shows it), back off, try again.
    if (decision.lower_concurrency)
      concurrency_.on_pushback();
    if (setup_.metrics)
      setup_.metrics->retry(setup_.source, decision.delay);
    spdlog::warn("source {}: window {}: {} (attempt {}, retrying in {} ms)", setup_.source, window,
                 message, failures, decision.delay.count());
    try {
      co_await setup_.work_queue->record_failure(item.id, setup_.owner,
                                                 attempt_of(message, decision, now));
    } catch (const SyncError& error) {
      // Not recorded (the database may be down); the retry will find out.
      spdlog::debug("source {}: could not note the failure: {}", setup_.source, error.what());
    }
    co_await sleep_for(decision.delay);
    co_return !stopping_;
  }

  // A final outcome: record it and release the window.
  const bool first_stop = decision.action == FailureAction::stop_source && !report_.fatal_error;
  if (decision.action == FailureAction::stop_source) {
    if (edge_)
      edge_->stop();  // its next request would meet the same refusal
    if (first_stop) {
      report_.fatal_error = "window " + window + ": " + message;
      report_.database_unavailable = failure.facts.database;
    }
    stopping_ = true;
  }
  try {
    co_await setup_.work_queue->record_failure(item.id, setup_.owner,
                                               attempt_of(message, decision, now));
  } catch (const SyncError& error) {
    // The database is down too: the lease expires and the window is read again later.
    spdlog::warn("source {}: could not record the failure: {}", setup_.source, error.what());
  }
  switch (decision.action) {
    case FailureAction::stop_source:
      // Every window in flight meets the same refusal; say it once.
      if (first_stop) {
        spdlog::error("source {}: window {}: {}; this source stops until the problem is fixed",
                      setup_.source, window, message);
      }
      break;
    case FailureAction::park:
      report_.windows_parked++;
      spdlog::error("source {}: window {} parked after {} attempt{}: {}; {}", setup_.source, window,
                    failures, failures == 1 ? "" : "s", message,
                    decision.due == kNeverDue ? std::string("it waits for a backfill of its range")
                                              : "tried again at " + format_utc(decision.due));
      break;
    case FailureAction::give_up:
      report_.windows_given_up++;
      spdlog::error("source {}: window {} still failing after {} attempts: {}", setup_.source,
                    window, failures, message);
      break;
    case FailureAction::retry:
      break;
  }
  co_return false;
}

}  // namespace insights
