#include "tests/support/in_memory_work_queue.hpp"

#include <algorithm>

#include "sink/work_item_states.hpp"

namespace insights::testing {
namespace asio = boost::asio;

namespace {

// "Start or end time in the window", as PostgreSQL's kRowInWindow.
bool in_window(const InMemoryWorkQueue::StoredRow& row, const TimeWindow& window) {
  const auto inside = [&](const std::optional<UtcSeconds>& time) {
    return time && *time >= window.start && *time < window.end;
  };
  return inside(row.start_time) || inside(row.end_time);
}

std::optional<UtcSeconds> time_of(const std::optional<std::string>& text) {
  return text ? parse_utc(*text) : std::nullopt;
}

}  // namespace

void InMemoryWorkQueue::maybe_fail(const char* operation) {
  if (failures_left_ <= 0 || (!failing_operation_.empty() && failing_operation_ != operation))
    return;
  --failures_left_;
  throw DatabaseError(ErrorKind::retry,
                      std::string("work queue: ") + operation + ": connection lost (injected)");
}

InMemoryWorkQueue::StoredItem* InMemoryWorkQueue::leased(long long id, const std::string& owner) {
  const auto found = items_.find(id);
  if (found == items_.end() || found->second.lease_owner != owner)
    return nullptr;
  return &found->second;
}

WorkItem InMemoryWorkQueue::as_claimed(const StoredItem& stored) {
  WorkItem item = stored.item;
  // A resumed or undecided pass keeps its counters; a new pass starts from zero.
  if (!item.cursor && !item.pass_undecided) {
    item.pass_rows = 0;
    item.pass_partial_rows = 0;
  }
  return item;
}

bool InMemoryWorkQueue::add(const std::string& source, WorkKind kind, const TimeWindow& window,
                            UtcSeconds due, int requested_passes) {
  const auto key = std::make_tuple(source, kind, window.start, window.end);
  if (keys_.count(key))
    return false;
  StoredItem stored;
  stored.source = source;
  stored.item.id = next_id_++;
  stored.item.kind = kind;
  stored.item.window = window;
  stored.next_due = due;
  stored.requested_passes = requested_passes;
  keys_[key] = stored.item.id;
  items_[stored.item.id] = std::move(stored);
  return true;
}

asio::awaitable<void> InMemoryWorkQueue::register_source(std::string name,
                                                         std::string account_sid) {
  maybe_fail("register source");
  sources_[name] = account_sid;
  co_return;
}

asio::awaitable<std::optional<UtcSeconds>> InMemoryWorkQueue::latest_window_end(std::string source,
                                                                                WorkKind kind) {
  maybe_fail("latest window");
  std::optional<UtcSeconds> latest;
  for (const auto& [id, stored] : items_) {
    if (stored.source == source && stored.item.kind == kind)
      latest = std::max(latest.value_or(stored.item.window.end), stored.item.window.end);
  }
  co_return latest;
}

asio::awaitable<int> InMemoryWorkQueue::add_windows(std::string source, WorkKind kind,
                                                    std::vector<PlannedWindow> windows) {
  maybe_fail("add windows");
  int added = 0;
  for (const auto& planned : windows)
    added += add(source, kind, planned.window, planned.due, 0) ? 1 : 0;
  co_return added;
}

asio::awaitable<std::vector<WorkItem>> InMemoryWorkQueue::claim_due(ClaimRequest request) {
  maybe_fail("claim due work");
  const UtcSeconds now = request.now;
  std::vector<StoredItem*> due;
  for (auto& [id, stored] : items_) {
    const WorkItem& item = stored.item;
    const bool claimable_state = item.state != WorkState::settled || !stored.annotation_pass_done;
    const bool lease_free = !stored.lease_owner || stored.lease_expires <= now;
    const bool in_range = !request.within || (item.window.start < request.within->end &&
                                              item.window.end > request.within->start);
    if (stored.source == request.source && stored.next_due <= now && claimable_state &&
        lease_free && !request.exclude.count(id) && (!request.kind || item.kind == *request.kind) &&
        in_range)
      due.push_back(&stored);
  }
  // Live first, the window holding `now` (or later) first, then oldest due, then oldest window.
  const auto order = [now](const StoredItem* stored) {
    return std::make_tuple(stored->item.kind != WorkKind::live, stored->item.window.end <= now,
                           stored->next_due, stored->item.window.start);
  };
  std::sort(due.begin(), due.end(),
            [&](const StoredItem* a, const StoredItem* b) { return order(a) < order(b); });
  if (static_cast<int>(due.size()) > request.limit)
    due.resize(static_cast<std::size_t>(std::max(request.limit, 0)));
  std::vector<WorkItem> claimed;
  for (StoredItem* stored : due) {
    stored->lease_owner = request.owner;
    stored->lease_expires = now + std::chrono::seconds(request.lease_seconds);
    WorkItem& item = stored->item;
    if ((!item.cursor && !item.pass_undecided) || item.pass_started_at == UtcSeconds{})
      item.pass_started_at = now;
    claimed.push_back(as_claimed(*stored));
  }
  co_return claimed;
}

asio::awaitable<std::optional<WorkItem>> InMemoryWorkQueue::reload(long long id,
                                                                   std::string owner) {
  maybe_fail("reload work item");
  const StoredItem* stored = leased(id, owner);
  co_return stored ? std::optional<WorkItem>(as_claimed(*stored)) : std::nullopt;
}

asio::awaitable<bool> InMemoryWorkQueue::renew_lease(long long id, std::string owner,
                                                     UtcSeconds until) {
  maybe_fail("renew lease");
  StoredItem* stored = leased(id, owner);
  if (stored)
    stored->lease_expires = until;
  co_return stored != nullptr;
}

asio::awaitable<bool> InMemoryWorkQueue::release(long long id, std::string owner) {
  maybe_fail("release lease");
  StoredItem* stored = leased(id, owner);
  if (stored)
    stored->lease_owner.reset();
  co_return stored != nullptr;
}

CommitResult InMemoryWorkQueue::merge(const std::string& source, const Page& page) {
  // One row per call_sid: complete beats partial, then the later one in the page.
  std::map<std::string, const CallSummaryRow*> distinct;
  for (const auto& row : page.rows) {
    auto& kept = distinct[row.call_sid];
    if (!kept || row.is_complete() || !kept->is_complete())
      kept = &row;
  }
  CommitResult result;
  for (const auto& [sid, row] : distinct) {
    result.distinct_rows++;
    if (row->processing_state == "partial")
      result.partial_rows++;
    const auto found = rows_.find(sid);
    if (found == rows_.end()) {
      rows_[sid] = StoredRow{source,
                             row->processing_state.value_or(""),
                             row->content_hash,
                             time_of(row->start_time),
                             time_of(row->end_time),
                             false,
                             1};
      result.inserted++;
      continue;
    }
    StoredRow& stored = found->second;
    if (stored.content_hash == row->content_hash) {
      result.unchanged++;
    } else if (stored.processing_state == "complete" && !row->is_complete()) {
      result.downgrade_refused++;  // never replace a complete row by a partial one
    } else {
      stored = StoredRow{source,
                         row->processing_state.value_or(""),
                         row->content_hash,
                         time_of(row->start_time),
                         time_of(row->end_time),
                         stored.retention_expired,
                         stored.writes + 1};
      result.updated++;
    }
  }
  return result;
}

asio::awaitable<CommitResult> InMemoryWorkQueue::commit_page(
    WorkItemRef ref, Page page, std::optional<UtcSeconds> lease_until) {
  maybe_fail("commit page");
  const auto found = items_.find(ref.id);
  if (found == items_.end())
    throw StaleWorkItemError("work item " + std::to_string(ref.id) + " no longer exists");
  StoredItem& stored = found->second;
  WorkItem& item = stored.item;
  if (item.passes_completed != ref.pass || item.cursor != ref.cursor ||
      stored.lease_owner != ref.lease_owner)
    throw StaleWorkItemError("work item " + std::to_string(ref.id) + " moved on; page dropped");
  CommitResult result = merge(stored.source, page);
  result.pass_finished = page.is_last();
  const bool first_page = !ref.cursor.has_value();
  item.pass_rows = (first_page ? 0 : item.pass_rows) + result.distinct_rows;
  item.pass_partial_rows = (first_page ? 0 : item.pass_partial_rows) + result.partial_rows;
  item.pass_undecided = result.pass_finished;
  item.cursor = page.meta.next_page_url;
  if (result.pass_finished) {
    item.passes_completed++;
    item.state = *state_after(item.state, WorkEvent::last_page_committed, true);
  }
  if (lease_until)
    stored.lease_expires = *lease_until;
  stored.attempts = 0;
  stored.last_error.reset();
  co_return result;
}

asio::awaitable<CommitResult> InMemoryWorkQueue::merge_rows(std::string source, Page page) {
  maybe_fail("merge rows");
  co_return merge(source, page);
}

asio::awaitable<bool> InMemoryWorkQueue::finish_pass(long long id, std::string owner,
                                                     FinishedPass pass) {
  maybe_fail("finish pass");
  StoredItem* stored = leased(id, owner);
  if (!stored)
    co_return false;
  WorkItem& item = stored->item;
  const WorkEvent event = pass.settled ? WorkEvent::pass_settled : WorkEvent::pass_kept_open;
  item.state = state_after(item.state, event, item.passes_completed > 0).value_or(item.state);
  item.pass_undecided = false;
  const bool owes_a_pass = item.passes_completed < stored->requested_passes;
  stored->next_due = owes_a_pass ? pass.now : pass.next_due;
  stored->annotation_pass_done = pass.annotation_pass_done && !owes_a_pass;
  stored->lease_owner.reset();
  stored->attempts = 0;
  stored->last_error.reset();
  co_return true;
}

asio::awaitable<bool> InMemoryWorkQueue::record_failure(long long id, std::string owner,
                                                        FailedAttempt attempt) {
  maybe_fail("record failure");
  StoredItem* stored = leased(id, owner);
  if (!stored)
    co_return false;
  stored->attempts++;
  stored->last_error = attempt.error;
  WorkItem& item = stored->item;
  if (attempt.retry) {
    stored->lease_expires = attempt.lease_until;
    if (attempt.restart_pass) {
      item.cursor.reset();
      item.pass_rows = 0;
      item.pass_partial_rows = 0;
      item.pass_started_at = attempt.now;
    }
    co_return true;
  }
  if (attempt.park)
    item.state = *state_after(item.state, WorkEvent::parked, item.passes_completed > 0);
  stored->next_due = attempt.due;
  stored->lease_owner.reset();
  co_return true;
}

asio::awaitable<bool> InMemoryWorkQueue::split_window(long long id, std::string owner,
                                                      std::vector<TimeWindow> pieces,
                                                      UtcSeconds now) {
  maybe_fail("split window");
  StoredItem* stored = leased(id, owner);
  if (!stored || stored->item.kind != WorkKind::backfill || stored->item.passes_completed > 0 ||
      stored->item.cursor)
    co_return false;
  const std::string source = stored->source;
  const int requested = std::min(stored->requested_passes, 1);
  keys_.erase(std::make_tuple(source, WorkKind::backfill, stored->item.window.start,
                              stored->item.window.end));
  items_.erase(id);
  for (const auto& piece : pieces)
    add(source, WorkKind::backfill, piece, now, requested);
  co_return true;
}

std::vector<std::string> InMemoryWorkQueue::partial_rows_in(const std::string& source,
                                                            const TimeWindow& window) {
  std::vector<std::string> sids;  // rows_ is ordered by call_sid
  for (const auto& [sid, row] : rows_) {
    if (row.source == source && row.processing_state == "partial" && !row.retention_expired &&
        in_window(row, window))
      sids.push_back(sid);
  }
  return sids;
}

asio::awaitable<std::vector<PartialCall>> InMemoryWorkQueue::partial_calls_in(std::string source,
                                                                              TimeWindow window,
                                                                              int limit) {
  maybe_fail("find partial rows");
  std::vector<PartialCall> calls;
  for (const auto& sid : partial_rows_in(source, window)) {
    if (static_cast<int>(calls.size()) == limit)
      break;
    const StoredRow& row = rows_[sid];
    calls.push_back({sid, row.start_time, row.end_time});
  }
  co_return calls;
}

asio::awaitable<int> InMemoryWorkQueue::mark_retention_expired(std::string source,
                                                               TimeWindow window, UtcSeconds) {
  maybe_fail("mark expired partial rows");
  const auto sids = partial_rows_in(source, window);
  for (const auto& sid : sids)
    rows_[sid].retention_expired = true;
  co_return static_cast<int>(sids.size());
}

void InMemoryWorkQueue::request_passes(const std::string& source, const TimeWindow& range,
                                       UtcSeconds now) {
  for (auto& [id, stored] : items_) {
    WorkItem& item = stored.item;
    if (stored.source != source || item.window.start >= range.end || item.window.end <= range.start)
      continue;
    stored.requested_passes = item.passes_completed + (item.cursor ? 2 : 1);
    item.state =
        *state_after(item.state, WorkEvent::more_passes_requested, item.passes_completed > 0);
    stored.annotation_pass_done = false;
    stored.next_due = std::min(stored.next_due, now);
    stored.attempts = 0;
    stored.last_error.reset();
  }
}

std::vector<InMemoryWorkQueue::StoredItem> InMemoryWorkQueue::items() const {
  std::vector<StoredItem> result;
  for (const auto& [id, stored] : items_)
    result.push_back(stored);
  return result;
}

}  // namespace insights::testing
