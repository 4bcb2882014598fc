#pragma once
// The work item's state machine, written down once. The PostgreSQL queue's SQL is generated
// from it (state_after_sql) and the in-memory queue of the tests calls it (state_after), so both
// follow the same table; tests/sink/work_item_states_test.cpp checks the table itself.
//
//   planned (INSERT) ─────────────→ pending
//   last_page_committed            pending → open                  (others unchanged)
//   pass_kept_open                 pending, open, parked → open    (settled: illegal)
//   pass_settled                   any → settled
//   parked                         any → parked
//   more_passes_requested          parked → pending (never read) or open (read before);
//                                  others unchanged (a settled window takes the pass as its
//                                  annotation pass and stays settled)
//
// Splitting a busy backfill window is not a transition: the pending window is replaced by its
// pending pieces.

#include <optional>
#include <string>
#include <string_view>

#include "sink/work_item.hpp"

namespace insights {

enum class WorkEvent {
  last_page_committed,
  pass_kept_open,
  pass_settled,
  parked,
  more_passes_requested,
};

// The state after `event`, or nullopt when the event is illegal in `from`. `ever_read`: the
// window finished a pass before (passes_completed > 0).
std::optional<WorkState> state_after(WorkState from, WorkEvent event, bool ever_read);

// As stored in work_items.kind / work_items.state.
const char* name_of(WorkKind kind);
const char* name_of(WorkState state);
// The stored name's value; std::invalid_argument for a name this version does not know.
WorkKind work_kind_named(std::string_view name);
WorkState work_state_named(std::string_view name);

// An SQL expression for the new value of work_items.state after `event`, following
// state_after(): a CASE over the columns `state` and `passes_completed` of the row updated
// (illegal transitions leave the state as it was).
std::string state_after_sql(WorkEvent event);

}  // namespace insights
