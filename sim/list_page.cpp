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
  if (!query.echoed_filters.empty()) url += query.echoed_filters + "&";
  url += "PageSize=" + std::to_string(query.page_size) + "&Page=" + std::to_string(page);
  if (!token.empty()) url += "&PageToken=" + token;
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

std::variant<std::string, TwilioError> render_list_page(CallStore& store,
                                                        const ListContext& context,
                                                        const ListQuery& query) {
  const std::string account = query.subaccount.value_or(context.account_sid);
  const auto known = store.account_sids();
  if (!std::binary_search(known.begin(), known.end(), account)) {
    return TwilioError{404, 20404, "The requested resource " + std::string(kListPath) +
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

  const auto calls = context.time_filter == TimeFilterField::start_time
                         ? store.calls_starting_in(window.window_start, window.window_end)
                         : store.calls_ending_in(window.window_start, window.window_end);
  std::vector<Candidate> candidates;
  candidates.reserve(calls.size());
  for (const SimCall* call : calls) {
    if (call->account_sid != account) continue;
    const CallSnapshot snapshot = snapshot_at(*call, context.now);
    if (!wanted_state(query.processing_state, snapshot.visibility) ||
        !matches_filters(query, *call, snapshot.visibility)) {
      continue;
    }
    const SimTime key = query.sort_by == SortField::start_time ? call->start_time : call->end_time;
    candidates.push_back({call, snapshot, key});
  }
  if (context.time_filter == TimeFilterField::start_time) {
    // calls_starting_in is already in (start_time, call_sid) order.
    if (query.sort_by != SortField::start_time) {
      std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return before(a, b.sort_key, b.call->call_sid);
      });
    }
  } else if (query.sort_by != SortField::end_time) {
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
      return before(a, b.sort_key, b.call->call_sid);
    });
  }

  // The page is [first, last) of the sorted candidates.
  auto first = candidates.begin();
  auto last = candidates.end();
  if (cursor && cursor->forward) {
    first = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return after(c, cursor->sort_key, cursor->call_sid);
    });
    last = first + std::min<std::ptrdiff_t>(query.page_size, candidates.end() - first);
  } else if (cursor) {
    last = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return !before(c, cursor->sort_key, cursor->call_sid);
    });
    first = last - std::min<std::ptrdiff_t>(query.page_size, last - candidates.begin());
  } else {
    last = first + std::min<std::ptrdiff_t>(query.page_size, candidates.end() - first);
  }

  std::optional<std::string> next_url, previous_url;
  if (last != candidates.end() && last != first) {
    const auto& boundary = *(last - 1);
    PageCursor next = window;
    next.forward = true;
    next.sort_key = boundary.sort_key;
    next.call_sid = boundary.call->call_sid;
    next_url = page_url(context, query, query.page + 1,
                        encode_page_token(next, binding, context.token_secret));
  }
  if (first != candidates.begin() && query.page > 0) {
    PageCursor previous = window;
    previous.forward = false;
    previous.sort_key = first->sort_key;
    previous.call_sid = first->call->call_sid;
    previous_url = page_url(context, query, query.page - 1,
                            encode_page_token(previous, binding, context.token_secret));
  }

  const std::string item_url = context.base_url + std::string(kListPath);
  std::string body;
  body.reserve(256 + static_cast<std::size_t>(last - first) * 2600);
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
  for (auto it = first; it != last; ++it) {
    if (it != first) body += ',';
    append_summary_json(body, *it->call, it->snapshot, item_url);
  }
  body += "]}";
  return body;
}

}  // namespace insights::sim
