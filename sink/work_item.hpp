#pragma once
// What the caller knew about a work item when it fetched a page for it. The sink commits the
// page only if the work item still looks exactly like this (optimistic check under a row
// lock), so a page is applied at most once per cursor position even when a commit's outcome
// was lost or another instance took the item over.

#include <optional>
#include <string>

namespace insights {

struct WorkItemRef {
  long long id = 0;
  int pass = 0;                            // work_items.passes_completed at fetch time
  std::optional<std::string> cursor;       // work_items.page_cursor; nullopt = first page
  std::optional<std::string> lease_owner;  // work_items.lease_owner the caller holds
};

}  // namespace insights
