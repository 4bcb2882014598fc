#include "sim/list_page.hpp"

#include <algorithm>

#include "sim/json_text.hpp"
#include "sim/page_token.hpp"
#include "sim/summary_renderer.hpp"

namespace insights::sim {
namespace {

constexpr std::string_view kListPath = "/v1/Voice/Summaries";

struct Candidate {
  const SimCall* call;
  CallSnapshot snapshot;
  SimTime sort_key;
};

bool before(const Candidate& a, SimTime key, std::string_view sid) {
  return a.sort_key < key || (a.sort_key == key && a.call->call_sid < sid);
}
bool after(const Candidate& a, SimTime key, std::string_view sid) {
  return a.sort_key > key || (a.sort_key == key && a.call->call_sid > sid);
}

// The order pages list calls in: (sort_key, call_sid) ascending, or descending with
// --sort-direction desc. Cursors, pages and their URLs all speak of this order, so a walk in
// either direction returns each call once.
struct PageOrder {
  bool descending = false;

  // Whether `a` is listed before the item (key, sid).
  bool precedes(const Candidate& a, SimTime key, std::string_view sid) const {
    return descending ? after(a, key, sid) : before(a, key, sid);
  }
  // Whether `a` is listed after the item (key, sid).
  bool follows(const Candidate& a, SimTime key, std::string_view sid) const {
    return descending ? before(a, key, sid) : after(a, key, sid);
  }
};

bool wanted_state(ProcessingStateFilter filter, Visibility visibility) {
  switch (filter) {
    case ProcessingStateFilter::completed:
      return visibility == Visibility::complete;
    case ProcessingStateFilter::partial:
      return visibility == Visibility::partial;
    case ProcessingStateFilter::started:  // undocumented; treated as "everything visible"
    case ProcessingStateFilter::all:
      return visibility != Visibility::hidden;
  }
  return false;
}

std::string page_url(const ListContext& context, const ListQuery& query, int page,
                     const std::string& token) {
  std::string url = context.base_url + std::string(kListPath) + "?";
  if (!query.echoed_filters.empty())
    url += query.echoed_filters + "&";
  url += "PageSize=" + std::to_string(query.page_size) + "&Page=" + std::to_string(page);
  if (!token.empty())
    url += "&PageToken=" + token;
  return url;
}

void append_url_or_null(std::string& out, const std::optional<std::string>& url) {
  if (url) {
    append_json_string(out, *url);
  } else {
    out += "null";
  }
}

}  // namespace

std::variant<RenderedListPage, TwilioError> render_list_page(CallStore& store,
                                                             const ListContext& context,
                                                             const ListQuery& query) {
  const std::string account = query.subaccount.value_or(context.account_sid);
  if (!store.owns(context.account_sid, account)) {
    return TwilioError{404, 20404,
                       "The requested resource " + std::string(kListPath) +
                           " was not found for account " + account};
  }
  const std::string binding = context.account_sid + "?" + query.echoed_filters;

  PageCursor window{true, {}, {}, query.start_time, query.end_time};
  std::optional<PageCursor> cursor;
  if (query.page_token) {
    cursor = decode_page_token(*query.page_token, binding, context.token_secret);
    if (!cursor) {
      return TwilioError{400, 21481,
                         "Invalid PageToken: be sure you are requesting the provided paging "
                         "urls"};
    }
    window.window_start = cursor->window_start;
    window.window_end = cursor->window_end;
  }

  // Nothing older than Twilio's retention or newer than now can be visible; clamping also
  // keeps a query like StartTime=2000-01-01T00:00:00Z from generating decades of calls.
  const SimTime fetch_from = std::max(window.window_start, context.now - kRetention);
  const SimTime fetch_to = std::min(window.window_end, context.now + std::chrono::seconds(1));
  const PageOrder order{context.sort_direction == SortDirection::descending};
  std::vector<Candidate> candidates;
  // Appends the visible, matching calls of [from, to) in the store's order; with `after_cursor`
  // only those listed after the forward cursor.
  auto collect = [&](SimTime from, SimTime to, bool after_cursor) {
    const auto calls = context.time_filter == TimeFilterField::start_time
                           ? store.calls_starting_in(from, to)
                           : store.calls_ending_in(from, to);
    for (const SimCall* call : calls) {
      if (call->account_sid != account || call->start_time < context.now - kRetention)
        continue;
      const CallSnapshot snapshot = snapshot_at(*call, context.now);
      if (!wanted_state(query.processing_state, snapshot.visibility) ||
          !matches_filters(query, *call, snapshot.visibility)) {
        continue;
      }
      const SimTime key =
          query.sort_by == SortField::start_time ? call->start_time : call->end_time;
      Candidate candidate{call, snapshot, key};
      if (after_cursor && !order.follows(candidate, cursor->sort_key, cursor->call_sid))
        continue;
      candidates.push_back(candidate);
    }
  };

  // The page is [first, last) of the sorted candidates.
  const int items = context.max_page_items > 0 ? std::min(query.page_size, context.max_page_items)
                                               : query.page_size;
  const auto page_size = static_cast<std::size_t>(items);
  // The store lists calls ascending by the time filter's field. A descending page never has
  // its order, so it is collected whole and sorted: the simple way, a sort of the window per
  // page, which the sim's tests can afford.
  const bool store_order_is_page_order =
      !order.descending && (context.time_filter == TimeFilterField::start_time) ==
                               (query.sort_by == SortField::start_time);
  std::size_t first = 0, last = 0;
  bool items_before = false;
  if (store_order_is_page_order && (!cursor || cursor->forward)) {
    // The common walk: read forward from the cursor an hour at a time until the page and one
    // more item (to know whether a next page exists) are found, so a page costs the same
    // whatever the window's size.
    SimTime from = cursor ? std::max(fetch_from, cursor->sort_key) : fetch_from;
    while (from < fetch_to && candidates.size() <= page_size) {
      const SimTime to = std::min(from + std::chrono::hours(1), fetch_to);
      collect(from, to, cursor.has_value());
      from = to;
    }
    last = std::min(page_size, candidates.size());
    items_before = cursor.has_value();
  } else {
    if (fetch_from < fetch_to)
      collect(fetch_from, fetch_to, false);
    if (!store_order_is_page_order) {
      std::sort(candidates.begin(), candidates.end(), [&order](const auto& a, const auto& b) {
        return order.precedes(a, b.sort_key, b.call->call_sid);
      });
    }
    auto follows_cursor = [&](const Candidate& c) {
      return order.follows(c, cursor->sort_key, cursor->call_sid);
    };
    if (cursor && cursor->forward) {
      first =
          std::find_if(candidates.begin(), candidates.end(), follows_cursor) - candidates.begin();
      last = first + std::min(page_size, candidates.size() - first);
    } else if (cursor) {
      last = std::find_if(candidates.begin(), candidates.end(),
                          [&](const Candidate& c) {
                            return !order.precedes(c, cursor->sort_key, cursor->call_sid);
                          }) -
             candidates.begin();
      first = last - std::min(page_size, last);
    } else {
      last = std::min(page_size, candidates.size());
    }
    items_before = first > 0;
  }

  std::optional<std::string> next_url, previous_url;
  if (last < candidates.size() && last > first) {
    const Candidate& boundary = candidates[last - 1];
    PageCursor next = window;
    next.forward = true;
    next.sort_key = boundary.sort_key;
    next.call_sid = boundary.call->call_sid;
    next_url = page_url(context, query, query.page + 1,
                        encode_page_token(next, binding, context.token_secret));
  }
  if (items_before && first < last && query.page > 0) {
    PageCursor previous = window;
    previous.forward = false;
    previous.sort_key = candidates[first].sort_key;
    previous.call_sid = candidates[first].call->call_sid;
    previous_url = page_url(context, query, query.page - 1,
                            encode_page_token(previous, binding, context.token_secret));
  }

  const std::string item_url = context.base_url + std::string(kListPath);
  std::string body;
  body.reserve(256 + (last - first) * 2600);
  body += "{\"meta\":{\"page\":" + std::to_string(query.page) +
          ",\"page_size\":" + std::to_string(query.page_size) + ",\"first_page_url\":";
  append_json_string(body, page_url(context, query, 0, ""));
  body += ",\"previous_page_url\":";
  append_url_or_null(body, previous_url);
  body += ",\"next_page_url\":";
  append_url_or_null(body, next_url);
  body += ",\"key\":\"call_summaries\",\"url\":";
  append_json_string(body, page_url(context, query, query.page, ""));
  body += "},\"call_summaries\":[";
  for (std::size_t i = first; i < last; ++i) {
    if (i != first)
      body += ',';
    append_summary_json(body, *candidates[i].call, candidates[i].snapshot, item_url);
  }
  body += "]}";
  return RenderedListPage{std::move(body), last - first};
}

}  // namespace insights::sim
