#pragma once
// What the scheduler needs from the Call Summaries API: one page of a window, and one call's
// complete summary. The seam tests replace with fakes (docs/development.md, "Testing").
//
// Errors: every failure is a SyncError whose kind() decides retry / park / fatal — ApiError for
// HTTP statuses (api/api_error.hpp), HttpTransportError for the wire, PageFormatError for a
// body that does not parse, ForeignPageUrlError for a next_page_url off the configured origin.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "api/page.hpp"
#include "api/summaries_request.hpp"
#include "core/error.hpp"

namespace insights {

// A next_page_url that leaves the configured scheme, host or port. Not followed: the source's
// credentials would go with it. The window is parked with this message.
class ForeignPageUrlError : public SyncError {
 public:
  explicit ForeignPageUrlError(const std::string& message) : SyncError(ErrorKind::park, message) {}
};

class SummariesApi {
 public:
  virtual ~SummariesApi() = default;

  // The first page of `window` (cursor nullopt) or the page at `cursor`, a next_page_url
  // returned by an earlier page of the same window.
  virtual boost::asio::awaitable<Page> list_page(WindowRequest window,
                                                 std::optional<std::string> cursor) = 0;

  // The complete summary of one call as a one-row page; nullopt while Twilio has none (17001).
  virtual boost::asio::awaitable<std::optional<Page>> complete_summary(std::string call_sid) = 0;
};

}  // namespace insights
