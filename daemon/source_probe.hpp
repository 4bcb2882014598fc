#pragma once
// `check-config --connect` for one source: one cheap request to its API with its URL, CA and
// credentials (the first page of a one-hour list with PageSize=1 and the source's filters), and
// what the answer means for `run`.
//
//   200                        credentials accepted, Voice Insights answered
//   401 / 20003                credentials refused
//   403 / 17000                Voice Insights Advanced Features not enabled for the account
//   other statuses             the list request refused (400, 404) or the API in trouble (5xx)
//   certificate not verified   said so, with OpenSSL's reason
//   anything else on the wire  the API could not be reached
// Messages never hold the secret or the Authorization header.
// Threading: probe_source blocks the calling thread (its own io_context) for at most about a
// minute (every step has a deadline).

#include <string>

#include "api/api_error.hpp"
#include "api/http_transport_error.hpp"
#include "core/source_config.hpp"
#include "core/utc_time.hpp"

namespace insights {

struct SourceProbe {
  bool usable = false;  // false: check-config exits 7
  std::string verdict;  // e.g. "credentials accepted and Voice Insights answered (HTTP 200)"
};

// Sends the request for [now - 1 h, now) and waits for the answer.
SourceProbe probe_source(const SourceOptions& source, const std::string& secret, UtcSeconds now);

// What an answer or a failure means (the table above).
SourceProbe probe_verdict(const ApiError& error, const std::string& account_sid);
SourceProbe probe_verdict(const HttpTransportError& error);

}  // namespace insights
