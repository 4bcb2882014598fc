#include "daemon/live_edge.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <vector>

#include "daemon/page_trail.hpp"
#include "daemon/sync_metrics.hpp"
#include "daemon/window_planner.hpp"

namespace insights {
namespace {

namespace asio = boost::asio;

std::optional<PartialSighting> sighting_of(const CallSummaryRow& row) {
  if (row.is_complete() || !row.start_time || !row.end_time)
    return std::nullopt;
  const auto start = parse_utc(*row.start_time);
  const auto end = parse_utc(*row.end_time);
  if (!start || !end)
    return std::nullopt;
  return PartialSighting{row.call_sid, *start, *end};
}

// A list request for every call of `range` in one processing state (all pages, the API's
// largest).
WindowRequest listing(const SummaryFilters& filters, const TimeWindow& range,
                      ProcessingStateParam state) {
  return WindowRequest{.filters = filters,
                       .start = range.start,
                       .end = range.end,
                       .processing_state = state,
                       .sort_by = SortByParam::start_time,
                       .page_size = kRowsPerPage};
}

}  // namespace

LiveEdge::LiveEdge(LiveEdgeSetup setup) : setup_(std::move(setup)) {}

UtcSeconds LiveEdge::next_due() const {
  UtcSeconds due = next_poll_;
  for (const auto& [sid, waiting] : waiting_)
    due =
        std::min(due, waiting.since + std::chrono::seconds(setup_.options.completion_read_seconds));
  return due;
}

asio::awaitable<void> LiveEdge::step() {
  std::optional<std::string> failure;
  try {
    const UtcSeconds now = setup_.clock->now();
    if (!stopping_ && now >= next_poll_) {
      next_poll_ = now + std::chrono::seconds(setup_.options.edge_poll_seconds);
      co_await poll(now);
    }
    if (!stopping_ && !waiting_.empty() && setup_.clock->now() >= next_due())
      co_await read_completions();
  } catch (const SyncError& error) {
    if (stops_source(error.kind())) {
      fatal_error_ = error;
      stopping_ = true;
    }
    // The windows bring whatever this step missed; the next poll tries again.
    if (error.facts().pushback)
      setup_.concurrency->on_pushback();
    if (setup_.metrics && error.facts().http_status)
      setup_.metrics->request(setup_.source, *error.facts().http_status, error.facts().twilio_code);
    failure = error.what();
  }
  if (failure && !fatal_error_) {
    tally_.failed_steps++;
    spdlog::warn("source {}: live edge: {}; polling again at {}", setup_.source, *failure,
                 format_utc(next_poll_));
  }
}

asio::awaitable<void> LiveEdge::poll(UtcSeconds now) {
  const TimeWindow range = edge_poll_range(now, setup_.options);
  // After a start: what the warehouse holds partial, before this poll adds to it.
  if (first_poll_)
    partial_ = co_await remembered_partials(range);
  const WindowRequest request = listing(setup_.filters, range, ProcessingStateParam::partial);
  Sightings listed;
  const bool whole = co_await list_all(request, [&](const CallSummaryRow& row) {
    if (auto sighting = sighting_of(row))
      listed.emplace(sighting->call_sid, std::move(*sighting));
  });
  if (!whole)
    co_return;
  tally_.polls++;
  // Listed partial before and not now: completed (or, rarely, gone); read it back. A call
  // remembered from before this start left the listing at a time nobody saw: read it at once
  // (so `sync --once` reads back what completed since the last run too).
  const UtcSeconds left_at =
      first_poll_ ? now - std::chrono::seconds(setup_.options.completion_read_seconds) : now;
  first_poll_ = false;
  for (auto& [sid, call] : partial_) {
    if (!listed.contains(sid))
      waiting_.emplace(sid, WaitingCompletion{.call = std::move(call), .since = left_at});
  }
  for (const auto& [sid, call] : listed)
    waiting_.erase(sid);  // partial again (or still): the listing says so
  partial_ = std::move(listed);
  spdlog::debug("source {}: live edge: {} calls partial, {} waiting to be read complete",
                setup_.source, partial_.size(), waiting_.size());
}

asio::awaitable<LiveEdge::Sightings> LiveEdge::remembered_partials(const TimeWindow& range) {
  const auto calls =
      co_await setup_.work_queue->partial_calls_in(setup_.source, range, kMaxRemembered + 1);
  Sightings remembered;
  if (static_cast<int>(calls.size()) > kMaxRemembered) {
    spdlog::info(
        "source {}: live edge: more than {} partial rows from before this start; their windows "
        "bring them complete",
        setup_.source, kMaxRemembered);
    co_return remembered;
  }
  for (const auto& call : calls) {
    // A row stored without both times gets a sighting as wide as the poll: read one by one.
    const bool timed = call.start_time && call.end_time;
    remembered.emplace(call.call_sid,
                       PartialSighting{call.call_sid, timed ? *call.start_time : range.start,
                                       timed ? *call.end_time : range.end});
  }
  co_return remembered;
}

asio::awaitable<void> LiveEdge::read_completions() {
  std::vector<PartialSighting> calls;
  for (const auto& [sid, waiting] : waiting_)
    calls.push_back(waiting.call);
  const CompletionReads reads = plan_completion_reads(std::move(calls), setup_.options);
  std::set<std::string> found;
  for (const auto& range : reads.ranges) {
    const WindowRequest request = listing(setup_.filters, range, ProcessingStateParam::completed);
    const bool whole = co_await list_all(request, [&](const CallSummaryRow& row) {
      if (row.is_complete())
        found.insert(row.call_sid);
    });
    if (!whole)
      co_return;
  }
  for (const auto& sid : reads.one_by_one) {
    RequestPermit permit = co_await setup_.permits->acquire(RequestPriority::live);
    if (!permit || stopping_)
      co_return;
    std::optional<Page> page = co_await setup_.api->complete_summary(sid);
    permit.release();
    setup_.concurrency->on_success();
    if (setup_.metrics)
      setup_.metrics->request(setup_.source, 200);
    if (!page)
      continue;
    const CommitResult result =
        co_await setup_.work_queue->merge_rows(setup_.source, std::move(*page));
    merged(result);
    found.insert(sid);
  }
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (found.contains(it->first)) {
      tally_.completions_read++;
      it = waiting_.erase(it);
    } else if (++it->second.reads >= kCompletionReadAttempts) {
      tally_.completions_missed++;
      spdlog::debug("source {}: live edge: call {} not found complete; its window brings it",
                    setup_.source, it->first);
      it = waiting_.erase(it);
    } else {
      // Not complete yet (Twilio lists it in neither state for a moment): try again later.
      it->second.since = setup_.clock->now();
      ++it;
    }
  }
}

template <typename OnRow>
asio::awaitable<bool> LiveEdge::list_all(const WindowRequest& request, OnRow seen) {
  std::optional<std::string> cursor;
  PageTrail trail(cursor);
  while (true) {
    RequestPermit permit = co_await setup_.permits->acquire(RequestPriority::live);
    if (!permit || stopping_)
      co_return false;
    Page page = co_await setup_.api->list_page(request, cursor);
    permit.release();
    setup_.concurrency->on_success();
    if (setup_.metrics) {
      setup_.metrics->request(setup_.source, 200);
      setup_.metrics->page_fetched(setup_.source, page.rows.size());
    }
    for (const auto& row : page.rows)
      seen(row);
    std::optional<std::string> next = page.meta.next_page_url;
    if (next)
      trail.follow(*next);
    const CommitResult result =
        co_await setup_.work_queue->merge_rows(setup_.source, std::move(page));
    merged(result);
    if (!next)
      co_return true;
    cursor = std::move(next);
  }
}

void LiveEdge::merged(const CommitResult& result) {
  if (setup_.metrics) {
    setup_.metrics->rows_written(setup_.source, result);
    setup_.metrics->committed(setup_.source);
  }
}

}  // namespace insights
