#include "daemon/source_wiring.hpp"

#include "api/basic_auth.hpp"
#include "api/http_client.hpp"
#include "api/http_summaries_api.hpp"

namespace insights {

SourceApi::SourceApi(boost::asio::any_io_executor executor, const SourceOptions& source,
                     const std::string& secret)
    : client_(std::make_unique<HttpClient>(
          executor,
          HttpClientOptions{.base = parse_base_url(source.api_url),
                            .ca_file = source.ca_file.value_or(""),
                            .max_connections = static_cast<std::size_t>(source.concurrency)})),
      api_(std::make_unique<HttpSummariesApi>(*client_,
                                              basic_authorization(source.username(), secret))) {}

SourceApi::~SourceApi() = default;

SummariesApi& SourceApi::api() {
  return *api_;
}

void SourceApi::close() {
  client_->close();
}

std::unique_ptr<SourceSync> make_source_sync(boost::asio::any_io_executor executor,
                                             const SourceOptions& source, SummariesApi& api,
                                             const SchedulerWiring& wiring) {
  return std::make_unique<SourceSync>(executor, SourceSyncSetup{.source = source.name,
                                                                .account_sid = source.account_sid,
                                                                .filters = source.filters,
                                                                .concurrency = source.concurrency,
                                                                .options = wiring.sync,
                                                                .owner = wiring.owner,
                                                                .clock = wiring.clock,
                                                                .api = &api,
                                                                .work_queue = wiring.work_queue,
                                                                .backoff = wiring.backoff,
                                                                .only_within = wiring.only_within,
                                                                .metrics = wiring.metrics});
}

}  // namespace insights
