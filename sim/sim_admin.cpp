// The admin endpoints of SimService (/_sim/...): clock, faults, truth and stats.
#include <algorithm>
#include <charconv>

#include "sim/json_text.hpp"
#include "sim/query_param.hpp"
#include "sim/sim_service.hpp"
#include "sim/summary_renderer.hpp"
#include "sim/time_param.hpp"

namespace insights::sim {
namespace {

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse admin_error(int status, const std::string& message) {
  std::string body = "{\"error\":";
  append_json_string(body, message);
  return json_response(status, body + "}");
}

}  // namespace

HttpResponse SimService::handle_admin(const HttpRequest& request, std::string_view path,
                                      std::string_view query) {
  const bool post = request.method == "POST";
  if (path == "/_sim/health")
    return json_response(200, "{\"status\":\"ok\"}");

  if (path == "/_sim/clock") {
    if (post) {
      const std::string set = query_param(query, "set"), advance = query_param(query, "advance"),
                        speed = query_param(query, "speed");
      if (!set.empty()) {
        const auto time = parse_time_param(set, clock_.now());
        if (!time)
          return admin_error(400, "set: expected an ISO-8601 time, got " + set);
        clock_.set(*time);
      }
      if (!advance.empty()) {
        long long seconds = 0;
        const auto [end, error] =
            std::from_chars(advance.data(), advance.data() + advance.size(), seconds);
        if (error != std::errc() || end != advance.data() + advance.size()) {
          return admin_error(400, "advance: expected whole seconds, got " + advance);
        }
        clock_.advance(std::chrono::seconds(seconds));
      }
      if (!speed.empty()) {
        double factor = 0;
        const auto [end, error] =
            std::from_chars(speed.data(), speed.data() + speed.size(), factor);
        if (error != std::errc() || end != speed.data() + speed.size() || factor < 0) {
          return admin_error(400, "speed: expected a factor >= 0, got " + speed);
        }
        clock_.set_speed(factor);
      }
    } else if (request.method != "GET") {
      return admin_error(405, "use GET or POST");
    }
    return json_response(200, "{\"now\":\"" + format_time(clock_.now()) +
                                  "\",\"speed\":" + std::to_string(clock_.speed()) + "}");
  }

  if (path == "/_sim/faults") {
    if (post) {
      FaultOptions updated = options_.faults;
      const auto problems = apply_fault_settings(updated, std::string(query));
      if (!problems.empty())
        return admin_error(400, problems.front());
      options_.faults = updated;
    }
    return json_response(200, fault_options_json(options_.faults));
  }

  if (path == "/_sim/truth")
    return truth(query);
  if (path == "/_sim/stats")
    return stats_response();
  return admin_error(404, "no admin endpoint " + std::string(path));
}

HttpResponse SimService::truth(std::string_view query) {
  const SimTime now = clock_.now();
  const std::string start_text = query_param(query, "StartTime"),
                    end_text = query_param(query, "EndTime");
  const auto start = parse_time_param(start_text.empty() ? "30d" : start_text, now);
  const auto end = parse_time_param(end_text.empty() ? "0m" : end_text, now);
  if (!start || !end)
    return admin_error(400, "StartTime/EndTime: expected ISO-8601 or 4h-style");
  const std::string account = query_param(query, "AccountSid");

  const SimTime from = std::max(*start, now - kRetention);
  const SimTime to = std::min(*end, now + std::chrono::seconds(1));
  auto calls = from >= to ? std::vector<const SimCall*>()
               : options_.time_filter == TimeFilterField::start_time
                   ? store_.calls_starting_in(from, to)
                   : store_.calls_ending_in(from, to);
  std::sort(calls.begin(), calls.end(),
            [](const SimCall* a, const SimCall* b) { return a->call_sid < b->call_sid; });
  std::string body = "{\"now\":\"" + format_time(now) + "\",\"call_summaries\":[";
  bool first = true;
  for (const SimCall* call : calls) {
    const CallSnapshot snapshot = snapshot_at(*call, now);
    if (snapshot.visibility == Visibility::hidden || call->start_time < now - kRetention ||
        (!account.empty() && call->account_sid != account)) {
      continue;
    }
    if (!first)
      body += ',';
    first = false;
    append_summary_json(body, *call, snapshot, "https://insights.twilio.com/v1/Voice/Summaries");
  }
  return json_response(200, body + "]}");
}

HttpResponse SimService::stats_response() const {
  std::string statuses;
  for (const auto& [status, count] : stats_.statuses) {
    if (!statuses.empty())
      statuses += ',';
    // Appended, not `"\"" + std::to_string(status)` (GCC 12 rule 5, docs/development.md).
    statuses.append("\"")
        .append(std::to_string(status))
        .append("\":")
        .append(std::to_string(count));
  }
  return json_response(
      200, "{\"api_requests\":" + std::to_string(stats_.api_requests) + ",\"pages\":" +
               std::to_string(stats_.pages) + ",\"summaries\":" + std::to_string(stats_.summaries) +
               ",\"listed_summaries\":" + std::to_string(stats_.listed_summaries) +
               ",\"cache_hits\":" + std::to_string(stats_.cache_hits) + ",\"statuses\":{" +
               statuses + "},\"rate_limited\":" + std::to_string(stats_.rate_limited) +
               ",\"retry_after_sent\":" + std::to_string(stats_.retry_after_sent) +
               ",\"server_errors\":" + std::to_string(stats_.server_errors) +
               ",\"resets\":" + std::to_string(stats_.resets) +
               ",\"truncations\":" + std::to_string(stats_.truncations) +
               ",\"malformed\":" + std::to_string(stats_.malformed) +
               ",\"spikes\":" + std::to_string(stats_.spikes) + "}");
}

}  // namespace insights::sim
