#include "tests/support/fake_summaries_api.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "core/content_hash.hpp"
#include "tests/support/running_sim.hpp"

namespace insights::testing {
namespace {

// Like a real request, an answer comes later: other coroutines run meanwhile.
boost::asio::awaitable<void> round_trip() {
  const auto executor = co_await boost::asio::this_coro::executor;
  co_await boost::asio::post(executor, boost::asio::use_awaitable);
}

}  // namespace

void FakeSummariesApi::put(const std::string& call_sid, UtcSeconds start, UtcSeconds end,
                           bool complete, std::optional<std::string> annotation) {
  CallSummaryRow row;
  row.call_sid = call_sid;
  row.account_sid = kSimAccount;
  row.processing_state = complete ? "complete" : "partial";
  row.start_time = format_utc(start);
  row.end_time = format_utc(end);
  row.annotation = std::move(annotation);
  row.content_hash = content_hash_hex(row);
  calls_[call_sid] = std::move(row);
}

void FakeSummariesApi::complete(const std::string& call_sid) {
  CallSummaryRow& row = calls_.at(call_sid);
  row.processing_state = "complete";
  row.content_hash = content_hash_hex(row);
}

void FakeSummariesApi::fail_next(std::function<void()> thrower, int times) {
  for (int i = 0; i < times; ++i)
    faults_.push_back(thrower);
}

void FakeSummariesApi::maybe_fail() {
  if (faults_.empty())
    return;
  const auto thrower = std::move(faults_.front());
  faults_.pop_front();
  thrower();
}

Page FakeSummariesApi::placed_page(const WindowRequest& window,
                                   const std::optional<std::string>& cursor) const {
  std::vector<const CallSummaryRow*> in_window;
  for (const auto& [sid, row] : calls_) {
    const auto start = parse_utc(*row.start_time);
    if (!start || *start < window.start || *start >= window.end)
      continue;
    // ProcessingState, as the list shows the call (the live edge asks for one state).
    const bool complete = row.is_complete() && !listed_partial_.count(sid);
    if ((window.processing_state == ProcessingStateParam::partial && complete) ||
        (window.processing_state == ProcessingStateParam::completed && !complete))
      continue;
    in_window.push_back(&row);
  }
  const int number = cursor ? std::stoi(cursor->substr(cursor->find('=') + 1)) : 0;
  const auto size = static_cast<std::size_t>(page_size);
  const std::size_t first = static_cast<std::size_t>(number) * size;
  Page page;
  page.meta.page = number;
  page.meta.page_size = page_size;
  for (std::size_t i = first; i < in_window.size() && i < first + size; ++i) {
    CallSummaryRow row = *in_window[i];
    if (listed_partial_.count(row.call_sid)) {
      row.processing_state = "partial";
      row.content_hash = content_hash_hex(row);
    }
    page.rows.push_back(std::move(row));
  }
  if (first + size < in_window.size())
    page.meta.next_page_url = "page=" + std::to_string(number + 1);
  return page;
}

boost::asio::awaitable<Page> FakeSummariesApi::list_page(WindowRequest window,
                                                         std::optional<std::string> cursor) {
  ++list_requests_;
  if (before_list)
    before_list(window, cursor);
  Page page;
  if (real_) {
    maybe_fail();
    page = co_await real_->list_page(window, cursor);
  } else {
    co_await round_trip();
    maybe_fail();
    page = placed_page(window, cursor);
  }
  if (after_list)
    after_list(window, cursor, page);
  co_return page;
}

boost::asio::awaitable<std::optional<Page>> FakeSummariesApi::complete_summary(
    std::string call_sid) {
  ++single_requests_;
  if (before_single)
    before_single(call_sid);
  if (real_) {
    maybe_fail();
    co_return co_await real_->complete_summary(call_sid);
  }
  co_await round_trip();
  maybe_fail();
  const auto found = calls_.find(call_sid);
  if (found == calls_.end() || !found->second.is_complete())
    co_return std::optional<Page>();
  Page page;
  page.rows.push_back(found->second);
  co_return std::optional<Page>(std::move(page));
}

}  // namespace insights::testing
