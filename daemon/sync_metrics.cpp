#include "daemon/sync_metrics.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>

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

SyncMetrics::SyncMetrics(const std::string& version, const std::string& revision)
    : registry_(std::make_shared<prometheus::Registry>()),
      pages_(counter(*registry_, "insights_pages_fetched_total",
                     "Pages of call summaries read from the API")),
      rows_fetched_(counter(*registry_, "insights_rows_fetched_total",
                            "Summaries read from the API (rows of the pages fetched)")),
      rows_(counter(*registry_, "insights_rows_written_total",
                    "Summary rows committed, by outcome of the upsert")),
      requests_(counter(*registry_, "insights_http_requests_total",
                        "API requests by HTTP status class and Twilio error code")),
      retries_(
          counter(*registry_, "insights_retries_total", "Failed attempts retried after a backoff")),
      backoff_seconds_(counter(*registry_, "insights_backoff_seconds_total",
                               "Seconds spent backing off before retries")),
      concurrency_(gauge(*registry_, "insights_concurrency",
                         "API requests a source may have in flight now (adaptive)")),
      since_commit_(gauge(*registry_, "insights_seconds_since_last_commit",
                          "Seconds since this instance committed a page of the source (or "
                          "since the source started)")),
      refused_(gauge(*registry_, "insights_source_refused",
                     "1 when the source stopped for good: credentials, permissions, certificate")),
      ready_(gauge(*registry_, "insights_ready",
                   "1 when the database answers and its schema is one this binary runs against")
                 .Add({})),
      exporter_(gauge(*registry_, "insights_warehouse_exporter",
                      "1 when this instance exports the warehouse gauges (one per database)")
                    .Add({})),
      work_items_(gauge(*registry_, "insights_work_items", "Windows by kind and state")),
      partial_rows_(gauge(*registry_, "insights_partial_rows",
                          "Rows still partial (waiting for Twilio to complete them)")),
      overdue_partial_rows_(gauge(*registry_, "insights_overdue_partial_rows",
                                  "Partial rows the schedule should have seen complete by now")),
      oldest_unsettled_(gauge(*registry_, "insights_oldest_unsettled_window_age_seconds",
                              "Age of the start of the oldest window not yet settled")),
      lag_(gauge(*registry_, "insights_source_lag_seconds",
                 "How old the newest data is: every live window was read up to this long ago")),
      lag_promise_(gauge(*registry_, "insights_source_lag_promised_seconds",
                         "The most insights_source_lag_seconds should reach on this schedule")),
      retention_deleted_(counter(*registry_, "insights_retention_rows_deleted_total",
                                 "Summaries deleted by [retention] (older than "
                                 "delete_after_days)")
                             .Add({})) {
  gauge(*registry_, "insights_build_info", "Version and git revision of this insights-sync")
      .Add({{"version", version}, {"revision", revision}})
      .Set(1);
}

void SyncMetrics::source_started(const std::string& source, int concurrency_limit) {
  pages_.Add({{"source", source}});
  rows_fetched_.Add({{"source", source}});
  for (const char* outcome : kOutcomes)
    rows_.Add({{"source", source}, {"outcome", outcome}});
  retries_.Add({{"source", source}});
  backoff_seconds_.Add({{"source", source}});
  concurrency(source, concurrency_limit);
  refused(source, false);
  committed(source);
}

void SyncMetrics::source_removed(const std::string& source) {
  const prometheus::Labels labels{{"source", source}};
  for (auto* family : {&pages_, &rows_fetched_, &retries_, &backoff_seconds_})
    family->Remove(&family->Add(labels));
  for (const char* outcome : kOutcomes)
    rows_.Remove(&rows_.Add({{"source", source}, {"outcome", outcome}}));
  for (auto* family : {&concurrency_, &since_commit_, &refused_})
    family->Remove(&family->Add(labels));
  std::lock_guard lock(mutex_);
  for (const auto& request : request_labels_[source])
    requests_.Remove(&requests_.Add(request));
  request_labels_.erase(source);
  last_commit_.erase(source);
}

void SyncMetrics::page_fetched(const std::string& source, std::size_t rows) {
  pages_.Add({{"source", source}}).Increment();
  rows_fetched_.Add({{"source", source}}).Increment(static_cast<double>(rows));
}

void SyncMetrics::rows_written(const std::string& source, const CommitResult& result) {
  const int counts[] = {result.inserted, result.updated, result.unchanged,
                        result.downgrade_refused};
  for (std::size_t i = 0; i < std::size(kOutcomes); ++i)
    rows_.Add({{"source", source}, {"outcome", kOutcomes[i]}}).Increment(counts[i]);
}

void SyncMetrics::request(const std::string& source, int status, int code) {
  const prometheus::Labels labels{{"source", source},
                                  {"status_class", status_class(status)},
                                  {"twilio_code", code == 0 ? "" : std::to_string(code)}};
  requests_.Add(labels).Increment();
  std::lock_guard lock(mutex_);
  auto& known = request_labels_[source];
  if (std::find(known.begin(), known.end(), labels) == known.end())
    known.push_back(labels);
}

void SyncMetrics::retry(const std::string& source, std::chrono::milliseconds backoff) {
  retries_.Add({{"source", source}}).Increment();
  backoff_seconds_.Add({{"source", source}})
      .Increment(std::chrono::duration<double>(backoff).count());
}

void SyncMetrics::concurrency(const std::string& source, int limit) {
  concurrency_.Add({{"source", source}}).Set(limit);
}

void SyncMetrics::committed(const std::string& source) {
  std::lock_guard lock(mutex_);
  last_commit_[source] = std::chrono::steady_clock::now();
}

void SyncMetrics::refused(const std::string& source, bool is_refused) {
  refused_.Add({{"source", source}}).Set(is_refused ? 1 : 0);
}

void SyncMetrics::ready(bool is_ready) {
  ready_.Set(is_ready ? 1 : 0);
}

prometheus::Gauge& SyncMetrics::warehouse_gauge(GaugeFamily& family,
                                                const prometheus::Labels& labels) {
  prometheus::Gauge& gauge = family.Add(labels);
  const std::pair<GaugeFamily*, prometheus::Gauge*> entry{&family, &gauge};
  if (std::find(warehouse_gauges_.begin(), warehouse_gauges_.end(), entry) ==
      warehouse_gauges_.end()) {
    warehouse_gauges_.push_back(entry);
  }
  return gauge;
}

void SyncMetrics::warehouse(const WarehouseCensus& census, UtcSeconds now,
                            std::chrono::seconds lag_promise) {
  exporter_.Set(1);
  // A kind/state (or a source's backlog) that is gone reads 0, not its last value.
  for (auto [family, gauge] : warehouse_gauges_)
    gauge->Set(0);
  const auto age = [now](UtcSeconds then) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(now - then).count());
  };
  for (const auto& count : census.work_items) {
    warehouse_gauge(work_items_,
                    {{"source", count.source}, {"kind", count.kind}, {"state", count.state}})
        .Set(static_cast<double>(count.windows));
    // Every source with windows has a partial backlog, 0 when it has no partial row: an alert
    // on it must not see "no data" for a healthy source.
    warehouse_gauge(partial_rows_, {{"source", count.source}});
    warehouse_gauge(overdue_partial_rows_, {{"source", count.source}});
    warehouse_gauge(lag_promise_, {{"source", count.source}})
        .Set(static_cast<double>(lag_promise.count()));
  }
  for (const auto& [source, rows] : census.partial_rows)
    warehouse_gauge(partial_rows_, {{"source", source}}).Set(static_cast<double>(rows));
  for (const auto& [source, rows] : census.overdue_partial_rows)
    warehouse_gauge(overdue_partial_rows_, {{"source", source}}).Set(static_cast<double>(rows));
  for (const auto& [source, start] : census.oldest_unsettled)
    warehouse_gauge(oldest_unsettled_, {{"source", source}}).Set(age(start));
  for (const auto& [source, through] : census.read_through)
    warehouse_gauge(lag_, {{"source", source}}).Set(age(through));
}

void SyncMetrics::no_warehouse() {
  exporter_.Set(0);
  for (auto [family, gauge] : warehouse_gauges_)
    family->Remove(gauge);
  warehouse_gauges_.clear();
}

void SyncMetrics::retention_deleted(long long rows) {
  retention_deleted_.Increment(static_cast<double>(rows));
}

std::string SyncMetrics::serialize() {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [source, at] : last_commit_)
      since_commit_.Add({{"source", source}}).Set(std::chrono::duration<double>(now - at).count());
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace insights
