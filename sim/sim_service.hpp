#pragma once
// insights-sim's request handling: the two Twilio endpoints with Basic auth, fault injection
// and a page cache, plus the admin endpoints under /_sim/ (clock, faults, truth, stats).
//
//   GET  /v1/Voice/Summaries?...           list (sim/list_page.hpp)
//   GET  /v1/Voice/{CallSid}/Summary?...   one summary; 17001 when not complete yet
//   GET  /_sim/health                      200 "ok"
//   GET  /_sim/clock                       {"now", "speed"}
//   POST /_sim/clock?set=ISO|advance=SECONDS|speed=FACTOR
//   GET  /_sim/faults, POST /_sim/faults?key=value&...   (sim/fault_plan.hpp)
//   GET  /_sim/truth?StartTime=..&EndTime=..[&AccountSid=..]   every visible summary, now
//   GET  /_sim/stats                       counters of requests, statuses and faults
//
// Admin endpoints take no Twilio credentials and API credentials open no admin route; the sim
// listens on loopback by default. Threading: one event-loop thread (not thread-safe).

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <vector>

#include "sim/call_store.hpp"
#include "sim/fault_plan.hpp"
#include "sim/http_server.hpp"
#include "sim/list_page.hpp"
#include "sim/sim_clock.hpp"

namespace insights::sim {

struct Credential {
  std::string username;     // Account SID (AC...) or API key SID (SK...)
  std::string password;     // auth token or API key secret
  std::string account_sid;  // the account the credential acts for
};

struct SimServiceOptions {
  std::vector<Credential> credentials;
  TimeFilterField time_filter = TimeFilterField::start_time;
  FaultOptions faults;
  std::uint64_t fault_seed = 1;
  std::uint64_t token_secret = 0x5eed;
  std::size_t page_cache_entries = 64;
  int max_page_items = 0;  // 0: as PageSize asks; N: at most N items a page (ListContext)
  SortDirection sort_direction = SortDirection::ascending;  // of SortBy (ListContext)
};

struct SimStats {
  std::uint64_t api_requests = 0;
  std::uint64_t pages = 0;             // list pages served (200)
  std::uint64_t summaries = 0;         // single summaries served (GET /v1/Voice/{CallSid}/Summary)
  std::uint64_t listed_summaries = 0;  // summaries in the list pages served
  std::uint64_t cache_hits = 0;
  std::map<int, std::uint64_t> statuses;  // API responses by HTTP status
  std::uint64_t rate_limited = 0, retry_after_sent = 0, server_errors = 0, resets = 0,
                truncations = 0, malformed = 0, spikes = 0;
};

class SimService : public RequestHandler {
 public:
  SimService(CallStore& store, SimClock& clock, SimServiceOptions options);

  boost::asio::awaitable<HttpResponse> handle(HttpRequest request) override;

  const SimStats& stats() const { return stats_; }
  FaultOptions& faults() { return options_.faults; }

 private:
  boost::asio::awaitable<HttpResponse> handle_api(const HttpRequest& request, std::string_view path,
                                                  std::string_view query);
  HttpResponse list_summaries(const std::string& account, const HttpRequest& request,
                              std::string_view query);
  HttpResponse single_summary(const std::string& account, const HttpRequest& request,
                              std::string_view call_sid, std::string_view query);
  HttpResponse handle_admin(const HttpRequest& request, std::string_view path,
                            std::string_view query);
  HttpResponse truth(std::string_view query);
  HttpResponse stats_response() const;
  const Credential* authenticate(const HttpRequest& request) const;
  void inject_body_faults(HttpResponse& response);
  std::string base_url(const HttpRequest& request) const;

  CallStore& store_;
  SimClock& clock_;
  SimServiceOptions options_;
  FaultDice dice_;
  SimStats stats_;
  std::map<std::string, int> in_flight_;  // API requests in flight per account
  // Rendered list pages by (account, target, now): repeated reads at a frozen clock are free.
  std::list<std::pair<std::string, RenderedListPage>> page_cache_;
};

}  // namespace insights::sim
