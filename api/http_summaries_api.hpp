#pragma once
// SummariesApi over HttpClient: builds the request targets, sends the source's credentials
// only to its configured origin, and maps every unsuccessful response to its error kind.
// Threading and lifetime: those of the HttpClient it borrows (one executor; outlive calls).

#include <string>

#include "api/http_client.hpp"
#include "api/summaries_api.hpp"

namespace insights {

class HttpSummariesApi : public SummariesApi {
 public:
  // `authorization` is the full header value (api/basic_auth.hpp). Error messages say what was
  // fetched ("first list page: HTTP 503 …"); the caller adds which source and window.
  HttpSummariesApi(HttpClient& client, std::string authorization);

  boost::asio::awaitable<Page> list_page(WindowRequest window,
                                         std::optional<std::string> cursor) override;
  boost::asio::awaitable<std::optional<Page>> complete_summary(std::string call_sid) override;

 private:
  HttpClient& client_;
  std::string authorization_;
};

}  // namespace insights
