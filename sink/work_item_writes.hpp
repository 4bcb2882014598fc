#pragma once
// The statements that write `work_items` inside other components' transactions: a page commit
// (PgSink: lock the item, then advance its cursor with the page's rows) and a backfill request
// (enqueue_backfill). Defined in sink/work_item_store.cpp, beside every other write of
// `work_items`, so the table has one owner.

#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>

#include "sink/commit_result.hpp"
#include "sink/work_item.hpp"

namespace insights {

// Prepares the statements below on a connection that will commit pages.
void prepare_page_statements(pqxx::connection& connection);

// The item as a page commit found it, locked until the transaction ends.
struct LockedWorkItem {
  std::string source;
  std::optional<std::string> cursor;
  int pass = 0;
  std::optional<std::string> lease_owner;
};

// Locks the item's row (FOR UPDATE); nullopt when it no longer exists.
std::optional<LockedWorkItem> lock_for_page(pqxx::work& transaction, long long id);

// Advances the cursor to `next_page` (the pass ends when there is none: cursor cleared, pass
// counted, pending → open), adds the page's counts, clears the error, and extends the lease to
// `lease_until` when given.
void advance_cursor(pqxx::work& transaction, const WorkItemRef& item,
                    const std::optional<std::string>& next_page, const CommitResult& page,
                    std::optional<UtcSeconds> lease_until);

struct PassesRequested {
  int windows_added = 0;      // new backfill windows for gaps
  int windows_requested = 0;  // existing windows asked for another pass
};

// A backfill of `range` (aligned to `window_minutes`): every existing window overlapping it owes
// one more pass, due by `now`; gaps get new backfill windows.
PassesRequested request_passes(pqxx::work& transaction, const std::string& source,
                               const TimeWindow& range, int window_minutes, UtcSeconds now);

}  // namespace insights
