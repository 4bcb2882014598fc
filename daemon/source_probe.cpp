#include "daemon/source_probe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>

#include "api/basic_auth.hpp"
#include "api/http_client.hpp"
#include "api/http_summaries_api.hpp"
#include "api/page_parser.hpp"
#include "api/url_guard.hpp"

namespace insights {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Shorter than the sync's: an operator is waiting for the answer.
HttpClientOptions probe_options(const SourceOptions& source) {
  HttpClientOptions options;
  options.base = parse_base_url(source.api_url);
  options.ca_file = source.ca_file.value_or("");
  options.max_connections = 1;
  options.resolve_timeout = 10s;
  options.connect_timeout = 10s;
  options.tls_handshake_timeout = 10s;
  options.write_timeout = 10s;
  options.read_header_timeout = 20s;
  options.read_body_timeout = 20s;
  options.user_agent = "insights-sync check-config";
  return options;
}

SourceProbe refused(std::string verdict) {
  return SourceProbe{.usable = false, .verdict = std::move(verdict)};
}

}  // namespace

SourceProbe probe_verdict(const ApiError& error, const std::string& account_sid) {
  const int status = error.status();
  const std::optional<int> code = error.twilio_code();
  const std::string answer = " (" + std::string(error.what()) + ")";
  if (status == 401 || code == 20003) {
    // (The API error's own advice says what to check.)
    return refused("credentials refused" + answer);
  }
  if (status == 403 || code == 17000) {
    return refused("Voice Insights Advanced Features are not enabled for account " + account_sid +
                   " (or these credentials may not read Voice Insights); the account's owner "
                   "turns them on in the Twilio Console" +
                   answer);
  }
  if (status == 400 || status == 404) {
    return refused("the API refused the list request: check account_sid and the filters" + answer);
  }
  if (error.facts().pushback) {
    return refused(
        "the API is busy or failing, so the credentials could not be checked; try "
        "again later" +
        answer);
  }
  return refused("the API answered with an error" + answer);
}

SourceProbe probe_verdict(const HttpTransportError& error) {
  if (error.failure() == TransportFailure::certificate) {
    return refused(
        "the server's certificate does not verify (set ca_file to the CA that "
        "signed it, or fix api_url): " +
        std::string(error.what()));
  }
  return refused("the API cannot be reached: " + std::string(error.what()));
}

SourceProbe probe_source(const SourceOptions& source, const std::string& secret, UtcSeconds now) {
  WindowRequest request;
  request.filters = source.filters;
  request.start = now - std::chrono::hours(1);
  request.end = now;
  request.page_size = 1;

  asio::io_context io;
  std::optional<HttpClient> client;
  try {
    client.emplace(io.get_executor(), probe_options(source));
  } catch (const BadBaseUrl& error) {
    return refused(std::string("api_url cannot be used: ") + error.what());
  } catch (const std::runtime_error& error) {
    return refused(error.what());  // the ca_file does not load (TLS: cannot load ca_file ...)
  }
  HttpSummariesApi api(*client, basic_authorization(source.username(), secret));
  std::exception_ptr failure;
  asio::co_spawn(io, api.list_page(request, std::nullopt),
                 [&failure](std::exception_ptr error, const Page&) { failure = error; });
  io.run();
  if (!failure) {
    return SourceProbe{.usable = true,
                       .verdict = "credentials accepted and Voice Insights answered (HTTP 200)"};
  }
  try {
    std::rethrow_exception(failure);
  } catch (const ApiError& error) {
    return probe_verdict(error, source.account_sid);
  } catch (const HttpTransportError& error) {
    return probe_verdict(error);
  } catch (const PageFormatError& error) {
    return refused("the answer is not a Voice Insights page; is api_url right? (" +
                   std::string(error.what()) + ")");
  } catch (const std::exception& error) {
    return refused(std::string("the request failed: ") + error.what());
  }
}

}  // namespace insights
