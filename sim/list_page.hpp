#pragma once
// Answers GET /v1/Voice/Summaries: selects the calls of one account in the time window that
// pass the filters and processing state at the sim's `now`, sorts them, cuts the page at the
// PageToken's keyset cursor, and renders the body with Twilio's `meta` envelope.
//
// Paging is keyset-based: a call that becomes visible behind a client's cursor is not seen
// by that pass (as with any cursor over a changing set), but no call is returned twice and
// none is skipped when nothing changes.

#include <cstdint>
#include <string>
#include <variant>

#include "sim/call_store.hpp"
#include "sim/list_query.hpp"
#include "sim/twilio_error.hpp"

namespace insights::sim {

// Which call timestamp StartTime/EndTime filter on: the real API does not document it.
enum class TimeFilterField { start_time, end_time };

// Which way SortBy orders a page: the real API does not document it either, so the sim can
// serve both and the daemon is tested under each.
enum class SortDirection { ascending, descending };

struct ListContext {
  std::string account_sid;  // the authenticated (parent) account
  SimTime now{};
  TimeFilterField time_filter = TimeFilterField::start_time;
  std::string base_url;  // scheme://host[:port] the client used, for absolute meta URLs
  std::uint64_t token_secret = 0;
  // 0: pages hold what PageSize asks; N: at most N items a page whatever PageSize asks, as a
  // server that answers fewer items than asked (meta.page_size still echoes the request).
  int max_page_items = 0;
  // Pages list calls in this order of (SortBy's timestamp, call_sid), and their next_page_url
  // walks on in it.
  SortDirection sort_direction = SortDirection::ascending;
};

struct RenderedListPage {
  std::string body;
  std::size_t items = 0;  // summaries in it (/_sim/stats counts them: what a client transferred)
};

// The response, or the error to answer with (21481 for a bad PageToken, 404 for an unknown
// subaccount).
std::variant<RenderedListPage, TwilioError> render_list_page(CallStore& store,
                                                             const ListContext& context,
                                                             const ListQuery& query);

}  // namespace insights::sim
