#include "sim/sim_service.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sim/basic_auth.hpp"
#include "sim/json_text.hpp"
#include "sim/query_param.hpp"
#include "sim/summary_renderer.hpp"
#include "sim/time_param.hpp"
#include "sim/twilio_error.hpp"

namespace insights::sim {
namespace {

constexpr std::string_view kListPath = "/v1/Voice/Summaries";
constexpr std::string_view kVoicePrefix = "/v1/Voice/";
constexpr std::string_view kSummarySuffix = "/Summary";

HttpResponse error_response(const TwilioError& error) {
  HttpResponse response;
  response.status = error.status;
  response.body = twilio_error_body(error);
  return response;
}

// Counts a request as in flight for its account until destroyed.
class InFlight {
 public:
  InFlight(std::map<std::string, int>& counts, const std::string& account)
      : counts_(counts), account_(account) {
    ++counts_[account_];
  }
  ~InFlight() { --counts_[account_]; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  int count() const { return counts_.at(account_); }

 private:
  std::map<std::string, int>& counts_;
  std::string account_;
};

}  // namespace

SimService::SimService(CallStore& store, SimClock& clock, SimServiceOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), dice_(options_.fault_seed) {}

std::string SimService::base_url(const HttpRequest& request) const {
  return std::string(request.tls ? "https" : "http") + "://" +
         (request.host.empty() ? "localhost" : request.host);
}

const Credential* SimService::authenticate(const HttpRequest& request) const {
  const auto presented = parse_basic_authorization(request.authorization);
  if (!presented)
    return nullptr;
  for (const auto& credential : options_.credentials) {
    if (credential.username == presented->username && credential.password == presented->password) {
      return &credential;
    }
  }
  return nullptr;
}

boost::asio::awaitable<HttpResponse> SimService::handle(HttpRequest request) {
  const std::string_view target = request.target;
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (path.starts_with("/_sim/"))
    co_return handle_admin(request, path, query);
  co_return co_await handle_api(request, path, query);
}

boost::asio::awaitable<HttpResponse> SimService::handle_api(const HttpRequest& request,
                                                            std::string_view path,
                                                            std::string_view query) {
  ++stats_.api_requests;
  HttpResponse response;
  const bool is_list = path == kListPath;
  const bool is_single = path.starts_with(kVoicePrefix) && path.ends_with(kSummarySuffix) &&
                         path.size() > kVoicePrefix.size() + kSummarySuffix.size();
  if (request.method != "GET" || (!is_list && !is_single)) {
    response = error_response(
        {404, 20404, "The requested resource " + std::string(path) + " was not found"});
  } else if (const Credential* credential = authenticate(request); credential == nullptr) {
    response = error_response({401, 20003, "Authenticate"});
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
  } else {
    InFlight in_flight(in_flight_, credential->account_sid);
    const FaultOptions& faults = options_.faults;
    if (faults.concurrency_cap > 0 && in_flight.count() > faults.concurrency_cap) {
      ++stats_.rate_limited;
      response = error_response({429, 20429, "Too Many Requests"});
      if (dice_.roll(faults.retry_after_fraction)) {
        ++stats_.retry_after_sent;
        response.headers.emplace_back("Retry-After", std::to_string(faults.retry_after_seconds));
      }
    } else {
      int delay_ms = faults.latency_ms + dice_.uniform(0, faults.latency_jitter_ms);
      if (faults.spike_ms > 0 && dice_.roll(faults.spike_rate)) {
        ++stats_.spikes;
        delay_ms += faults.spike_ms;
      }
      if (delay_ms > 0) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        timer.expires_after(std::chrono::milliseconds(delay_ms));
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
      if (dice_.roll(faults.server_error_rate)) {
        ++stats_.server_errors;
        response = error_response({dice_.roll(0.5) ? 500 : 503, 20500, "Internal Server Error"});
      } else if (is_list) {
        response = list_summaries(credential->account_sid, request, query);
      } else {
        const std::string_view sid = path.substr(
            kVoicePrefix.size(), path.size() - kVoicePrefix.size() - kSummarySuffix.size());
        response = single_summary(credential->account_sid, request, sid, query);
      }
      if (response.status == 200)
        inject_body_faults(response);
    }
  }
  ++stats_.statuses[response.status];
  co_return response;
}

void SimService::inject_body_faults(HttpResponse& response) {
  const FaultOptions& faults = options_.faults;
  if (dice_.roll(faults.reset_rate)) {
    ++stats_.resets;
    response.fault = TransportFault::reset_mid_body;
  } else if (dice_.roll(faults.truncate_rate)) {
    ++stats_.truncations;
    response.fault = TransportFault::truncate_body;
  } else if (dice_.roll(faults.malformed_rate)) {
    ++stats_.malformed;
    response.body.resize(response.body.size() * 3 / 5);
    response.body += "\",:{]";  // valid HTTP, broken JSON
  }
}

HttpResponse SimService::list_summaries(const std::string& account, const HttpRequest& request,
                                        std::string_view query_text) {
  const SimTime now = clock_.now();
  const std::string cache_key = account + " " + std::to_string(now.time_since_epoch().count()) +
                                " " + request.host + " " + request.target;
  for (auto it = page_cache_.begin(); it != page_cache_.end(); ++it) {
    if (it->first == cache_key) {
      page_cache_.splice(page_cache_.begin(), page_cache_, it);
      ++stats_.cache_hits;
      ++stats_.pages;
      stats_.listed_summaries += it->second.items;
      HttpResponse response;
      response.body = it->second.body;
      return response;
    }
  }

  const auto parsed = parse_list_query(query_text, now);
  if (const auto* error = std::get_if<TwilioError>(&parsed))
    return error_response(*error);
  const ListContext context{account,
                            now,
                            options_.time_filter,
                            base_url(request),
                            options_.token_secret,
                            options_.max_page_items,
                            options_.sort_direction};
  auto page = render_list_page(store_, context, std::get<ListQuery>(parsed));
  if (const auto* error = std::get_if<TwilioError>(&page))
    return error_response(*error);

  RenderedListPage& rendered = std::get<RenderedListPage>(page);
  HttpResponse response;
  response.body = rendered.body;
  ++stats_.pages;
  stats_.listed_summaries += rendered.items;
  page_cache_.emplace_front(cache_key, std::move(rendered));
  if (page_cache_.size() > options_.page_cache_entries)
    page_cache_.pop_back();
  return response;
}

HttpResponse SimService::single_summary(const std::string& account, const HttpRequest& request,
                                        std::string_view call_sid, std::string_view query) {
  const SimTime now = clock_.now();
  const std::string resource = "/v1/Voice/" + std::string(call_sid) + "/Summary";
  const SimCall* call = store_.find(call_sid);
  const CallSnapshot snapshot = call ? snapshot_at(*call, now) : CallSnapshot{};
  if (call == nullptr || !store_.owns(account, call->account_sid) ||
      snapshot.visibility == Visibility::hidden) {
    return error_response({404, 20404, "The requested resource " + resource + " was not found"});
  }
  if (call->start_time < now - kRetention) {
    return error_response({404, 17002,
                           "This call ended more than 30 days ago. Voice Insights only stores "
                           "30 days worth of call data"});
  }
  const std::string state = query_param(query, "ProcessingState");
  if (state != "" && state != "completed" && state != "partial" && state != "all" &&
      state != "started") {
    return error_response(
        {400, 20001,
         "Invalid ProcessingState '" + state + "': expected completed, started, partial or all"});
  }
  if ((state.empty() || state == "completed") && snapshot.visibility != Visibility::complete) {
    return error_response({404, 17001, "Completed summary for this call wasn't found"});
  }
  HttpResponse response;
  append_summary_json(response.body, *call, snapshot, base_url(request) + resource);
  ++stats_.summaries;
  return response;
}

}  // namespace insights::sim
