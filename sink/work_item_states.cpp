#include "sink/work_item_states.hpp"

#include <array>
#include <stdexcept>

namespace insights {
namespace {

constexpr std::array kStates = {WorkState::pending, WorkState::open, WorkState::settled,
                                WorkState::parked};

}  // namespace

std::optional<WorkState> state_after(WorkState from, WorkEvent event, bool ever_read) {
  switch (event) {
    case WorkEvent::last_page_committed:
      return from == WorkState::pending ? WorkState::open : from;
    case WorkEvent::pass_kept_open:
      if (from == WorkState::settled)
        return std::nullopt;  // a settled window's passes settle it again
      return WorkState::open;
    case WorkEvent::pass_settled:
      return WorkState::settled;
    case WorkEvent::parked:
      return WorkState::parked;
    case WorkEvent::more_passes_requested:
      if (from != WorkState::parked)
        return from;
      return ever_read ? WorkState::open : WorkState::pending;
  }
  return std::nullopt;
}

const char* name_of(WorkKind kind) {
  return kind == WorkKind::live ? "live" : "backfill";
}

const char* name_of(WorkState state) {
  switch (state) {
    case WorkState::pending:
      return "pending";
    case WorkState::open:
      return "open";
    case WorkState::settled:
      return "settled";
    case WorkState::parked:
      return "parked";
  }
  return "pending";
}

WorkKind work_kind_named(std::string_view name) {
  if (name == "live")
    return WorkKind::live;
  if (name == "backfill")
    return WorkKind::backfill;
  throw std::invalid_argument("unknown work item kind \"" + std::string(name) + "\"");
}

WorkState work_state_named(std::string_view name) {
  for (WorkState state : kStates) {
    if (name == name_of(state))
      return state;
  }
  throw std::invalid_argument("unknown work item state \"" + std::string(name) + "\"");
}

std::string state_after_sql(WorkEvent event) {
  std::string sql = "CASE";
  for (WorkState from : kStates) {
    const auto unread = state_after(from, event, false);
    const auto read = state_after(from, event, true);
    const std::string when = std::string(" WHEN state = '") + name_of(from) + "'";
    if (unread == read) {
      if (unread && *unread != from)
        sql += when + " THEN '" + name_of(*unread) + "'";
      continue;
    }
    if (unread && *unread != from)
      sql += when + " AND passes_completed = 0 THEN '" + name_of(*unread) + "'";
    if (read && *read != from)
      sql += when + " AND passes_completed > 0 THEN '" + name_of(*read) + "'";
  }
  return sql + " ELSE state END";
}

}  // namespace insights
