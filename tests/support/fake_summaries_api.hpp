#pragma once
// The tests' one programmable Call Summaries API, in two modes:
//
// - on its own (scheduler tests, no network): the test places calls (partial or complete, start
//   and end times) and the fake answers pages of a window from them — filtered by start time
//   and ProcessingState, `page_size` rows a page, a "page=N" cursor — and one call's complete
//   summary;
// - in front of a real API (`FakeSummariesApi api(&real)`, the sim over HTTPS): every request
//   goes to `real`, so the hooks below can fail, change or watch what the scheduler sees.
//
// In both modes `fail_next` queues faults (any SyncError) that the next requests throw, and the
// hooks run: `before_list` / `before_single` before a request (may throw, or move a clock),
// `after_list` on each page before the scheduler gets it (may change rows). Every request is
// counted and, on its own, answers after other ready coroutines ran, like a real one.
// Single-threaded: the scheduler's event loop.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "api/summaries_api.hpp"
#include "core/call_summary_row.hpp"

namespace insights::testing {

class FakeSummariesApi final : public SummariesApi {
 public:
  // `real`: forward every request there instead of answering from placed calls.
  explicit FakeSummariesApi(SummariesApi* real = nullptr) : real_(real) {}

  // Places (or replaces) a call. Its content hash follows its fields.
  void put(const std::string& call_sid, UtcSeconds start, UtcSeconds end, bool complete,
           std::optional<std::string> annotation = std::nullopt);
  void complete(const std::string& call_sid);  // the call's summary becomes complete
  // The list keeps serving the call as partial (Twilio's list lags its single summaries).
  void list_as_partial(const std::string& call_sid) { listed_partial_.insert(call_sid); }

  // The next requests (of either kind) throw these, in order, before anything else happens.
  void fail_next(std::function<void()> thrower, int times = 1);

  // Rows per page (the scheduler asks for 1000; a small value makes windows span pages).
  int page_size = 1000;

  std::function<void(const WindowRequest& window, const std::optional<std::string>& cursor)>
      before_list;
  std::function<void(const WindowRequest& window, const std::optional<std::string>& cursor,
                     Page& page)>
      after_list;
  std::function<void(const std::string& call_sid)> before_single;

  boost::asio::awaitable<Page> list_page(WindowRequest window,
                                         std::optional<std::string> cursor) override;
  boost::asio::awaitable<std::optional<Page>> complete_summary(std::string call_sid) override;

  int list_requests() const { return list_requests_; }
  int single_requests() const { return single_requests_; }

 private:
  void maybe_fail();
  Page placed_page(const WindowRequest& window, const std::optional<std::string>& cursor) const;

  SummariesApi* real_;
  std::map<std::string, CallSummaryRow> calls_;  // by call_sid
  std::set<std::string> listed_partial_;
  std::deque<std::function<void()>> faults_;
  int list_requests_ = 0;
  int single_requests_ = 0;
};

}  // namespace insights::testing
