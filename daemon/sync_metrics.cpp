#include "daemon/sync_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace insights {
namespace {

std::string status_class(int status) {
  return status == 0 ? "none" : std::to_string(status / 100) + "xx";
}

constexpr const char* kOutcomes[] = {"inserted", "updated", "unchanged", "downgrade_refused"};

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& registry, const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& registry, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

}  // namespace

struct SyncMetrics::Families {
  using GaugeFamily = prometheus::Family<prometheus::Gauge>;

  Families(const std::string& version, const std::string& revision)
      : registry(std::make_shared<prometheus::Registry>()),
        pages(counter(*registry, "insights_pages_fetched_total",
                      "Pages of call summaries read from the API")),
        rows_fetched(counter(*registry, "insights_rows_fetched_total",
                             "Summaries read from the API (rows of the pages fetched)")),
        rows(counter(*registry, "insights_rows_written_total",
                     "Summary rows committed, by outcome of the upsert")),
        requests(counter(*registry, "insights_http_requests_total",
                         "API requests by HTTP status class and Twilio error code")),
        retries(counter(*registry, "insights_retries_total",
                        "Failed attempts retried after a backoff")),
        backoff_seconds(counter(*registry, "insights_backoff_seconds_total",
                                "Seconds spent backing off before retries")),
        concurrency(gauge(*registry, "insights_concurrency",
                          "API requests a source may have in flight now (adaptive)")),
        since_commit(gauge(*registry, "insights_seconds_since_last_commit",
                           "Seconds since this instance committed a page of the source (or "
                           "since the source started)")),
        refused(gauge(*registry, "insights_source_refused",
                      "1 when the source stopped for good: credentials, permissions, certificate")),
        ready(gauge(*registry, "insights_ready",
                    "1 when the database answers and its schema is one this binary runs against")
                  .Add({})),
        exporter(gauge(*registry, "insights_warehouse_exporter",
                       "1 when this instance exports the warehouse gauges (one per database)")
                     .Add({})),
        work_items(gauge(*registry, "insights_work_items", "Windows by kind and state")),
        partial_rows(gauge(*registry, "insights_partial_rows",
                           "Rows still partial (waiting for Twilio to complete them)")),
        overdue_partial_rows(gauge(*registry, "insights_overdue_partial_rows",
                                   "Partial rows the schedule should have seen complete by now")),
        oldest_unsettled(gauge(*registry, "insights_oldest_unsettled_window_age_seconds",
                               "Age of the start of the oldest window not yet settled")),
        lag(gauge(*registry, "insights_source_lag_seconds",
                  "How old the newest data is: every live window was read up to this long ago")),
        lag_promise(gauge(*registry, "insights_source_lag_promised_seconds",
                          "The most insights_source_lag_seconds should reach on this schedule")),
        newest_call_age(gauge(*registry, "insights_source_newest_call_age_seconds",
                              "Age of the start of the newest call stored for the source (no "
                              "series while it has none)")),
        retention_deleted(counter(*registry, "insights_retention_rows_deleted_total",
                                  "Summaries deleted by [retention] (older than "
                                  "delete_after_days)")
                              .Add({})) {
    gauge(*registry, "insights_build_info", "Version and git revision of this insights-sync")
        .Add({{"version", version}, {"revision", revision}})
        .Set(1);
  }

  // Removes every series of `family` this instance exported from the census.
  void drop_warehouse_series(GaugeFamily& family) {
    std::erase_if(warehouse_gauges, [&family](const auto& entry) {
      if (entry.first != &family)
        return false;
      family.Remove(entry.second);
      return true;
    });
  }

  prometheus::Gauge& warehouse_gauge(GaugeFamily& family, const prometheus::Labels& labels) {
    prometheus::Gauge& gauge = family.Add(labels);
    const std::pair<GaugeFamily*, prometheus::Gauge*> entry{&family, &gauge};
    if (std::find(warehouse_gauges.begin(), warehouse_gauges.end(), entry) ==
        warehouse_gauges.end()) {
      warehouse_gauges.push_back(entry);
    }
    return gauge;
  }

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& pages;
  prometheus::Family<prometheus::Counter>& rows_fetched;
  prometheus::Family<prometheus::Counter>& rows;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& retries;
  prometheus::Family<prometheus::Counter>& backoff_seconds;
  GaugeFamily& concurrency;
  GaugeFamily& since_commit;
  GaugeFamily& refused;
  prometheus::Gauge& ready;
  prometheus::Gauge& exporter;
  GaugeFamily& work_items;
  GaugeFamily& partial_rows;
  GaugeFamily& overdue_partial_rows;
  GaugeFamily& oldest_unsettled;
  GaugeFamily& lag;
  GaugeFamily& lag_promise;
  GaugeFamily& newest_call_age;
  prometheus::Counter& retention_deleted;
  // Set from the census: reset to 0 at each scrape, removed when another instance exports.
  std::vector<std::pair<GaugeFamily*, prometheus::Gauge*>> warehouse_gauges;
  std::map<std::string, std::chrono::steady_clock::time_point> last_commit;
  // The label sets of insights_http_requests_total by source (the only per-source family whose
  // labels are not known in advance), for source_removed.
  std::map<std::string, std::vector<prometheus::Labels>> request_labels;
  std::mutex mutex;  // last_commit, request_labels
};

SyncMetrics::SyncMetrics(const std::string& version, const std::string& revision)
    : families_(std::make_unique<Families>(version, revision)) {}

SyncMetrics::~SyncMetrics() = default;

void SyncMetrics::source_started(const std::string& source, int concurrency_limit) {
  families_->pages.Add({{"source", source}});
  families_->rows_fetched.Add({{"source", source}});
  for (const char* outcome : kOutcomes)
    families_->rows.Add({{"source", source}, {"outcome", outcome}});
  families_->retries.Add({{"source", source}});
  families_->backoff_seconds.Add({{"source", source}});
  concurrency(source, concurrency_limit);
  refused(source, false);
  committed(source);
}

void SyncMetrics::source_removed(const std::string& source) {
  const prometheus::Labels labels{{"source", source}};
  for (auto* family : {&families_->pages, &families_->rows_fetched, &families_->retries,
                       &families_->backoff_seconds})
    family->Remove(&family->Add(labels));
  for (const char* outcome : kOutcomes)
    families_->rows.Remove(&families_->rows.Add({{"source", source}, {"outcome", outcome}}));
  for (auto* family : {&families_->concurrency, &families_->since_commit, &families_->refused})
    family->Remove(&family->Add(labels));
  std::lock_guard lock(families_->mutex);
  for (const auto& request : families_->request_labels[source])
    families_->requests.Remove(&families_->requests.Add(request));
  families_->request_labels.erase(source);
  families_->last_commit.erase(source);
}

void SyncMetrics::page_fetched(const std::string& source, std::size_t rows) {
  families_->pages.Add({{"source", source}}).Increment();
  families_->rows_fetched.Add({{"source", source}}).Increment(static_cast<double>(rows));
}

void SyncMetrics::rows_written(const std::string& source, const CommitResult& result) {
  const int counts[] = {result.inserted, result.updated, result.unchanged,
                        result.downgrade_refused};
  for (std::size_t i = 0; i < std::size(kOutcomes); ++i)
    families_->rows.Add({{"source", source}, {"outcome", kOutcomes[i]}}).Increment(counts[i]);
}

void SyncMetrics::request(const std::string& source, int status, int code) {
  const prometheus::Labels labels{{"source", source},
                                  {"status_class", status_class(status)},
                                  {"twilio_code", code == 0 ? "" : std::to_string(code)}};
  families_->requests.Add(labels).Increment();
  std::lock_guard lock(families_->mutex);
  auto& known = families_->request_labels[source];
  if (std::find(known.begin(), known.end(), labels) == known.end())
    known.push_back(labels);
}

void SyncMetrics::retry(const std::string& source, std::chrono::milliseconds backoff) {
  families_->retries.Add({{"source", source}}).Increment();
  families_->backoff_seconds.Add({{"source", source}})
      .Increment(std::chrono::duration<double>(backoff).count());
}

void SyncMetrics::concurrency(const std::string& source, int limit) {
  families_->concurrency.Add({{"source", source}}).Set(limit);
}

void SyncMetrics::committed(const std::string& source) {
  std::lock_guard lock(families_->mutex);
  families_->last_commit[source] = std::chrono::steady_clock::now();
}

void SyncMetrics::refused(const std::string& source, bool is_refused) {
  families_->refused.Add({{"source", source}}).Set(is_refused ? 1 : 0);
}

void SyncMetrics::ready(bool is_ready) {
  families_->ready.Set(is_ready ? 1 : 0);
}

void SyncMetrics::warehouse(const WarehouseCensus& census, UtcSeconds now,
                            std::chrono::seconds lag_promise) {
  families_->exporter.Set(1);
  // An age of 0 would read as "just now": a source whose rows are all gone (retention, a
  // truncate) has no newest call, so no series rather than its last value or 0.
  families_->drop_warehouse_series(families_->newest_call_age);
  // A kind/state (or a source's backlog) that is gone reads 0, not its last value.
  for (auto [family, gauge] : families_->warehouse_gauges)
    gauge->Set(0);
  const auto age = [now](UtcSeconds then) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(now - then).count());
  };
  for (const auto& count : census.work_items) {
    families_
        ->warehouse_gauge(families_->work_items,
                          {{"source", count.source}, {"kind", count.kind}, {"state", count.state}})
        .Set(static_cast<double>(count.windows));
    // Every source with windows has a partial backlog, 0 when it has no partial row: an alert
    // on it must not see "no data" for a healthy source.
    families_->warehouse_gauge(families_->partial_rows, {{"source", count.source}});
    families_->warehouse_gauge(families_->overdue_partial_rows, {{"source", count.source}});
    families_->warehouse_gauge(families_->lag_promise, {{"source", count.source}})
        .Set(static_cast<double>(lag_promise.count()));
  }
  for (const auto& [source, rows] : census.partial_rows)
    families_->warehouse_gauge(families_->partial_rows, {{"source", source}})
        .Set(static_cast<double>(rows));
  for (const auto& [source, rows] : census.overdue_partial_rows)
    families_->warehouse_gauge(families_->overdue_partial_rows, {{"source", source}})
        .Set(static_cast<double>(rows));
  for (const auto& [source, start] : census.oldest_unsettled)
    families_->warehouse_gauge(families_->oldest_unsettled, {{"source", source}}).Set(age(start));
  for (const auto& [source, through] : census.read_through)
    families_->warehouse_gauge(families_->lag, {{"source", source}}).Set(age(through));
  for (const auto& [source, start] : census.newest_call_start)
    families_->warehouse_gauge(families_->newest_call_age, {{"source", source}}).Set(age(start));
}

void SyncMetrics::no_warehouse() {
  families_->exporter.Set(0);
  for (auto [family, gauge] : families_->warehouse_gauges)
    family->Remove(gauge);
  families_->warehouse_gauges.clear();
}

void SyncMetrics::retention_deleted(long long rows) {
  families_->retention_deleted.Increment(static_cast<double>(rows));
}

std::string SyncMetrics::serialize() {
  {
    std::lock_guard lock(families_->mutex);
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [source, at] : families_->last_commit)
      families_->since_commit.Add({{"source", source}})
          .Set(std::chrono::duration<double>(now - at).count());
  }
  return prometheus::TextSerializer().Serialize(families_->registry->Collect());
}

}  // namespace insights
