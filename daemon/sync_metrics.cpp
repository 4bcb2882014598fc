#include "daemon/sync_metrics.hpp"

#include <prometheus/text_serializer.h>

namespace insights {
namespace {

std::string status_class(int status) {
  return status == 0 ? "none" : std::to_string(status / 100) + "xx";
}

}  // namespace

SyncMetrics::SyncMetrics(const std::string& version, const std::string& revision)
    : registry_(std::make_shared<prometheus::Registry>()),
      pages_(prometheus::BuildCounter()
                 .Name("insights_pages_fetched_total")
                 .Help("Pages of call summaries read from the API")
                 .Register(*registry_)),
      rows_fetched_(prometheus::BuildCounter()
                        .Name("insights_rows_fetched_total")
                        .Help("Summaries read from the API (rows of the pages fetched)")
                        .Register(*registry_)),
      rows_(prometheus::BuildCounter()
                .Name("insights_rows_written_total")
                .Help("Summary rows committed, by outcome of the upsert")
                .Register(*registry_)),
      requests_(prometheus::BuildCounter()
                    .Name("insights_http_requests_total")
                    .Help("API requests by HTTP status class and Twilio error code")
                    .Register(*registry_)),
      retries_(prometheus::BuildCounter()
                   .Name("insights_retries_total")
                   .Help("Failed attempts retried after a backoff")
                   .Register(*registry_)),
      backoff_seconds_(prometheus::BuildCounter()
                           .Name("insights_backoff_seconds_total")
                           .Help("Seconds spent backing off before retries")
                           .Register(*registry_)),
      concurrency_(prometheus::BuildGauge()
                       .Name("insights_concurrency")
                       .Help("API requests a source may have in flight now (adaptive)")
                       .Register(*registry_)),
      since_commit_(prometheus::BuildGauge()
                        .Name("insights_seconds_since_last_commit")
                        .Help("Seconds since the source's last committed page")
                        .Register(*registry_)),
      work_items_(prometheus::BuildGauge()
                      .Name("insights_work_items")
                      .Help("Windows by kind and state")
                      .Register(*registry_)),
      partial_rows_(prometheus::BuildGauge()
                        .Name("insights_partial_rows")
                        .Help("Rows still partial (waiting for Twilio to complete them)")
                        .Register(*registry_)),
      oldest_unsettled_(prometheus::BuildGauge()
                            .Name("insights_oldest_unsettled_window_age_seconds")
                            .Help("Age of the start of the oldest window not yet settled")
                            .Register(*registry_)),
      retention_deleted_(prometheus::BuildCounter()
                             .Name("insights_retention_rows_deleted_total")
                             .Help("Summaries deleted by [retention] (older than "
                                   "delete_after_days)")
                             .Register(*registry_)
                             .Add({})) {
  prometheus::BuildGauge()
      .Name("insights_build_info")
      .Help("Version and git revision of this insights-sync")
      .Register(*registry_)
      .Add({{"version", version}, {"revision", revision}})
      .Set(1);
}

void SyncMetrics::page_fetched(const std::string& source, std::size_t rows) {
  pages_.Add({{"source", source}}).Increment();
  rows_fetched_.Add({{"source", source}}).Increment(static_cast<double>(rows));
}

void SyncMetrics::rows_written(const std::string& source, const CommitResult& result) {
  rows_.Add({{"source", source}, {"outcome", "inserted"}}).Increment(result.inserted);
  rows_.Add({{"source", source}, {"outcome", "updated"}}).Increment(result.updated);
  rows_.Add({{"source", source}, {"outcome", "unchanged"}}).Increment(result.unchanged);
  rows_.Add({{"source", source}, {"outcome", "downgrade_refused"}})
      .Increment(result.downgrade_refused);
}

void SyncMetrics::request(const std::string& source, int status, int code) {
  requests_
      .Add({{"source", source},
            {"status_class", status_class(status)},
            {"twilio_code", code == 0 ? "" : std::to_string(code)}})
      .Increment();
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

void SyncMetrics::warehouse(const WarehouseCensus& census, UtcSeconds now) {
  // A kind/state (or a source's backlog) that is gone reads 0, not its last value.
  for (auto* gauge : warehouse_gauges_)
    gauge->Set(0);
  const auto track = [this](prometheus::Gauge& gauge) -> prometheus::Gauge& {
    warehouse_gauges_.insert(&gauge);
    return gauge;
  };
  for (const auto& count : census.work_items) {
    track(work_items_.Add({{"source", count.source}, {"kind", count.kind}, {"state", count.state}}))
        .Set(static_cast<double>(count.windows));
    // Every source with windows has a partial backlog, 0 when it has no partial row: an alert
    // on it must not see "no data" for a healthy source.
    track(partial_rows_.Add({{"source", count.source}}));
  }
  for (const auto& [source, rows] : census.partial_rows)
    track(partial_rows_.Add({{"source", source}})).Set(static_cast<double>(rows));
  for (const auto& [source, start] : census.oldest_unsettled) {
    track(oldest_unsettled_.Add({{"source", source}}))
        .Set(static_cast<double>(
            std::chrono::duration_cast<std::chrono::seconds>(now - start).count()));
  }
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
