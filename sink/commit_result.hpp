#pragma once
// What committing a page (or merging single summaries) did to call_summaries, and the error for
// a page whose work item moved on. Plain values, shared by every work queue implementation.

#include <string>

#include "core/error.hpp"

namespace insights {

struct CommitResult {
  int distinct_rows = 0;  // rows after collapsing duplicate call_sids within the page
  int partial_rows = 0;   // of those, how many were still partial
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;           // identical content hash: no write at all
  int downgrade_refused = 0;   // stored complete row kept, incoming partial ignored
  int staged_rows = 0;         // rows sent to the server: new or changed (sink/changed_rows.hpp)
  bool pass_finished = false;  // this was the window's last page
};

// The work item moved on since the caller read it (the page was already committed, or
// another instance holds it now). The page is dropped; the caller re-reads the work item.
class StaleWorkItemError : public SyncError {
 public:
  explicit StaleWorkItemError(const std::string& message) : SyncError(ErrorKind::retry, message) {}
};

}  // namespace insights
