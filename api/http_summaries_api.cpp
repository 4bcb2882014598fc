#include "api/http_summaries_api.hpp"

#include "api/api_error.hpp"
#include "api/page_parser.hpp"
#include "api/quoted_excerpt.hpp"

namespace insights {
namespace {

ApiError error_for(ApiEndpoint endpoint, const HttpResponse& response, const std::string& context) {
  return api_error_from_response(endpoint, response.status, response.body, context,
                                 parse_retry_after(response.header("Retry-After")));
}

}  // namespace

HttpSummariesApi::HttpSummariesApi(HttpClient& client, std::string authorization)
    : client_(client), authorization_(std::move(authorization)) {}

boost::asio::awaitable<Page> HttpSummariesApi::list_page(WindowRequest window,
                                                         std::optional<std::string> cursor) {
  const std::string context = cursor ? "list page" : "first list page";
  std::string target;
  if (cursor) {
    auto same_origin = same_origin_target(client_.options().base, *cursor);
    if (!same_origin) {
      throw ForeignPageUrlError(
          context + ": the API's next_page_url " + quoted_url_excerpt(*cursor) +
          " is not on the configured API origin " + client_.options().base.scheme + "://" +
          client_.options().base.authority() + "; refused (credentials are never sent elsewhere)");
    }
    target = std::move(*same_origin);
  } else {
    target = summaries_list_target(window);
  }
  const HttpResponse response = co_await client_.get(std::move(target), authorization_);
  if (response.status < 200 || response.status > 299)
    throw error_for(ApiEndpoint::list, response, context);
  try {
    co_return parse_summaries_page(response.body);
  } catch (const PageFormatError& error) {
    throw PageFormatError(context + ": " + error.what());
  }
}

boost::asio::awaitable<std::optional<Page>> HttpSummariesApi::complete_summary(
    std::string call_sid) {
  const std::string context = "summary of call " + call_sid;
  const HttpResponse response = co_await client_.get(
      single_summary_target(call_sid, ProcessingStateParam::completed), authorization_);
  if (response.status < 200 || response.status > 299) {
    ApiError error = error_for(ApiEndpoint::single_summary, response, context);
    if (error.not_complete_yet())
      co_return std::nullopt;
    throw error;
  }
  try {
    co_return parse_single_summary(response.body);
  } catch (const PageFormatError& error) {
    throw PageFormatError(context + ": " + error.what());
  }
}

}  // namespace insights
