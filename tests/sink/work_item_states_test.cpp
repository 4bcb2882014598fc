// The work item's state machine (sink/work_item_states.hpp) as a table, and the SQL generated
// from it: every legal transition, the illegal one, and names that round-trip.
#include "sink/work_item_states.hpp"

#include <gtest/gtest.h>

namespace insights {
namespace {

using enum WorkState;

struct Transition {
  WorkState from;
  WorkEvent event;
  bool ever_read;
  std::optional<WorkState> to;
};

TEST(WorkItemStates, EveryTransitionIsTheTablesOne) {
  const std::vector<Transition> table = {
      {pending, WorkEvent::last_page_committed, false, open},
      {open, WorkEvent::last_page_committed, true, open},
      {settled, WorkEvent::last_page_committed, true, settled},
      {parked, WorkEvent::last_page_committed, true, parked},
      {pending, WorkEvent::pass_kept_open, true, open},
      {open, WorkEvent::pass_kept_open, true, open},
      {parked, WorkEvent::pass_kept_open, true, open},
      {settled, WorkEvent::pass_kept_open, true, std::nullopt},
      {pending, WorkEvent::pass_settled, true, settled},
      {open, WorkEvent::pass_settled, true, settled},
      {settled, WorkEvent::pass_settled, true, settled},
      {parked, WorkEvent::pass_settled, true, settled},
      {pending, WorkEvent::parked, false, parked},
      {open, WorkEvent::parked, true, parked},
      {settled, WorkEvent::parked, true, parked},
      {parked, WorkEvent::parked, true, parked},
      {parked, WorkEvent::more_passes_requested, false, pending},
      {parked, WorkEvent::more_passes_requested, true, open},
      {settled, WorkEvent::more_passes_requested, true, settled},
      {open, WorkEvent::more_passes_requested, true, open},
      {pending, WorkEvent::more_passes_requested, false, pending},
  };
  for (const auto& row : table) {
    EXPECT_EQ(state_after(row.from, row.event, row.ever_read), row.to)
        << name_of(row.from) << " after event " << static_cast<int>(row.event);
  }
}

TEST(WorkItemStates, TheSqlFollowsTheTable) {
  EXPECT_EQ(state_after_sql(WorkEvent::last_page_committed),
            "CASE WHEN state = 'pending' THEN 'open' ELSE state END");
  EXPECT_EQ(state_after_sql(WorkEvent::pass_kept_open),
            "CASE WHEN state = 'pending' THEN 'open' WHEN state = 'parked' THEN 'open' ELSE state "
            "END");
  EXPECT_EQ(state_after_sql(WorkEvent::more_passes_requested),
            "CASE WHEN state = 'parked' AND passes_completed = 0 THEN 'pending'"
            " WHEN state = 'parked' AND passes_completed > 0 THEN 'open' ELSE state END");
}

TEST(WorkItemStates, NamesRoundTripAndUnknownNamesAreRefused) {
  for (WorkState state : {pending, open, settled, parked})
    EXPECT_EQ(work_state_named(name_of(state)), state);
  EXPECT_EQ(work_kind_named(name_of(WorkKind::live)), WorkKind::live);
  EXPECT_EQ(work_kind_named(name_of(WorkKind::backfill)), WorkKind::backfill);
  EXPECT_THROW(work_state_named("done"), std::invalid_argument);
  EXPECT_THROW(work_kind_named("push"), std::invalid_argument);
}

}  // namespace
}  // namespace insights
