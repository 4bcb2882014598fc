// What users feel of a schedule (issue 18): how long after Twilio lists a call the warehouse
// shows it, how long after Twilio completes a summary the warehouse shows it complete, and what
// that costs in API requests and in summaries transferred — the daemon's own scheduler
// (tests/support/stepped_sync.hpp) against an in-process insights-sim on a clock the benchmark
// moves, with the product's default [sync] options unless told otherwise.
//
// After every step (an instant the daemon acts) the rows that changed are read back and the step's
// simulated time recorded as the moment the warehouse first showed the call, and first showed it
// complete. The sim's own call store (the same seed) says when the API first listed each call
// (partial_at) and completed it (complete_at). Calls listed (completed) during the measured
// period count; the run goes on until they could all have landed.
//
// Annotation passes are off here: they read a window 7 times over 30 days, which a day cannot
// show; their reads per call are stated from the schedule itself (annotation_reads_per_call).
//
// Usage: freshness_day CONNINFO CALLS_PER_HOUR TIME_FILTER SCHEDULE [WARMUP_HOURS=6]
//        [HOURS=24]
// TIME_FILTER: start_time | end_time (which call timestamp the sim's StartTime/EndTime filter
// on). SCHEDULE: live | economical | fresh. CONNINFO: an empty, migrated database.
// Prints "key value" lines; exit 0, or 1 when a window was parked or a call never landed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pqxx/pqxx>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/utc_time.hpp"
#include "daemon/window_planner.hpp"
#include "sim/call_store.hpp"
#include "tests/support/landing_watch.hpp"
#include "tests/support/stepped_sync.hpp"

namespace {

using namespace std::chrono;
using insights::UtcSeconds;
using insights::testing::FakeClock;
using insights::testing::RunningSim;

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  long long count = 0, never = 0;
};

// Seconds; a call that never landed counts as never (and as +inf in the percentiles).
Percentiles percentiles(std::vector<double> seconds_late, long long never) {
  Percentiles result;
  result.count = static_cast<long long>(seconds_late.size()) + never;
  result.never = never;
  if (result.count == 0)
    return result;
  seconds_late.insert(seconds_late.end(), static_cast<std::size_t>(never), 1e18);
  std::sort(seconds_late.begin(), seconds_late.end());
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(q * static_cast<double>(seconds_late.size() - 1));
    return seconds_late[index];
  };
  result.p50 = at(0.50);
  result.p99 = at(0.99);
  result.max = seconds_late.back();
  return result;
}

void print(const char* name, const Percentiles& p) {
  std::printf("%s_count %lld\n%s_never %lld\n%s_p50 %.0f\n%s_p99 %.0f\n%s_max %.0f\n", name,
              p.count, name, p.never, name, p.p50, name, p.p99, name, p.max);
}

// Reads per call the annotation passes of the default schedule make over a window's 30 days.
int annotation_reads_per_call(const insights::SyncOptions& defaults, UtcSeconds t0) {
  const insights::TimeWindow window{t0, t0 + minutes(defaults.window_minutes)};
  int reads = 0;
  UtcSeconds after = insights::settle_horizon(window, defaults);
  while (const auto next = insights::next_annotation_pass(window, after, defaults)) {
    ++reads;
    after = *next;
  }
  return reads;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: freshness_day CONNINFO CALLS_PER_HOUR start_time|end_time "
                 "live|economical|fresh [WARMUP_HOURS] [HOURS]\n");
    return 2;
  }
  const std::string conninfo = argv[1];
  const int calls_per_hour = std::atoi(argv[2]);
  const bool by_end_time = std::strcmp(argv[3], "end_time") == 0;
  const std::string schedule = argv[4];
  const int warmup_hours = argc > 5 ? std::atoi(argv[5]) : 6;
  const int measured_hours = argc > 6 ? std::atoi(argv[6]) : 24;
  if (calls_per_hour <= 0 || (!by_end_time && std::strcmp(argv[3], "start_time") != 0) ||
      (schedule != "live" && schedule != "economical" && schedule != "fresh")) {
    std::fprintf(stderr, "freshness_day: bad arguments\n");
    return 2;
  }

  spdlog::set_level(spdlog::level::warn);
  const UtcSeconds t0 = floor<hours>(insights::SystemClock().now()) - hours(24 * 3);
  insights::sim::GeneratorOptions data;
  data.calls_per_hour = calls_per_hour;
  data.subaccounts_per_account = 0;  // every call is the listed account's own
  insights::sim::SimServiceOptions service;
  service.time_filter = by_end_time ? insights::sim::TimeFilterField::end_time
                                    : insights::sim::TimeFilterField::start_time;
  RunningSim sim(data, service, t0);
  insights::sim::CallStore truth(data);  // the same calls: when each was listed and completed
  FakeClock clock(t0);

  const insights::SyncOptions defaults;
  insights::SyncOptions options = defaults;
  if (schedule == "fresh")
    options.schedule = insights::LiveSchedule::fresh;
  if (schedule == "economical")
    options.schedule = insights::LiveSchedule::economical;
  if (schedule == "live")
    options.schedule = insights::LiveSchedule::live;
  options.initial_lookback_hours = 6;
  options.annotation_pass_after_hours = 0;
  options.instance_name = "bench";
  insights::testing::SteppedSync sync(sim, clock, conninfo, options);
  pqxx::connection db(conninfo);

  const UtcSeconds from = t0 + hours(warmup_hours);
  const UtcSeconds to = from + hours(measured_hours);
  // The run goes on until every watched call landed, or at most until the last window's
  // horizon read (a call that has not landed by then never will on this schedule).
  const UtcSeconds run_end = to + minutes(options.window_minutes + options.settle_after_minutes);
  insights::testing::LandingWatch watch(truth, data, from, to);
  long long failures = 0, steps = 0, requests_before = -1, requests_after = -1;
  long long listed_before = 0, listed_after = 0;
  steady_clock::duration busy{};  // wall time the daemon's passes took in the measured hours
  for (UtcSeconds now = t0; now <= run_end && (now <= to || watch.pending() > 0);
       now = sync.next_event(db, now)) {
    if (requests_before < 0 && now >= from) {
      requests_before = sim.stats().counter("api_requests");
      listed_before = sim.stats().counter("listed_summaries");
    }
    if (requests_after < 0 && now > to) {
      requests_after = sim.stats().counter("api_requests");
      listed_after = sim.stats().counter("listed_summaries");
    }
    watch.before_step(db);
    const auto step_began = steady_clock::now();
    try {
      failures += sync.step(now);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "freshness_day: %s\n", error.what());
      return 1;
    }
    if (now >= from && now < to)
      busy += steady_clock::now() - step_began;
    watch.after_step(db, now);
    ++steps;
  }
  if (requests_after < 0) {  // every call had landed by the period's end
    requests_after = sim.stats().counter("api_requests");
    listed_after = sim.stats().counter("listed_summaries");
  }
  sync.close();

  std::vector<double> new_late, complete_late;
  long long new_never = 0, complete_never = 0, calls_listed = 0;
  for (const auto& [sid, at] : watch.calls()) {
    if (at.listed_in_period) {
      ++calls_listed;
      if (at.shown) {
        new_late.push_back(static_cast<double>((*at.shown - at.call->partial_at).count()));
      } else {
        ++new_never;
      }
    }
    if (at.completed_in_period) {
      if (at.complete) {
        complete_late.push_back(static_cast<double>((*at.complete - at.call->complete_at).count()));
      } else {
        ++complete_never;
      }
    }
  }
  const Percentiles shown = percentiles(new_late, new_never);
  const Percentiles completed = percentiles(complete_late, complete_never);
  const double day_fraction = 24.0 / measured_hours;
  std::printf("steps %lld\nfailures %lld\n", steps, failures);
  print("new", shown);
  print("complete", completed);
  std::printf("requests_per_day %.0f\n",
              static_cast<double>(requests_after - requests_before) * day_fraction);
  std::printf("calls_listed %lld\n", calls_listed);
  std::printf("transferred_per_call %.2f\n",
              calls_listed == 0 ? 0.0
                                : static_cast<double>(listed_after - listed_before) /
                                      static_cast<double>(calls_listed));
  std::printf("annotation_reads_per_call %d\n", annotation_reads_per_call(defaults, t0));
  // Keeping up: the passes of a simulated hour took this much real time (against 3600 s).
  std::printf("busy_seconds_per_hour %.1f\n",
              duration<double>(busy).count() / static_cast<double>(measured_hours));
  return failures == 0 && new_never == 0 && complete_never == 0 ? 0 : 1;
}
