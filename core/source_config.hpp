#pragma once
// One configured Twilio source: which account to read, how to authenticate, where the API is,
// how many requests may run at once, and which calls to select.
//
// The secret (auth token or API key secret) is never in the config file or on the command
// line: the file names an environment variable or a file holding it, so systemd's
// LoadCredential= works (`secret_file = "$CREDENTIALS_DIRECTORY/twilio"`); loading it is
// core/source_secret.hpp.

#include <optional>
#include <string>

#include "core/summary_filters.hpp"

namespace insights {

struct SourceOptions {
  std::string name;         // unique; [A-Za-z0-9_-], at most 64 characters
  std::string account_sid;  // AC… (summaries of subaccounts: filters.subaccount)
  // Basic-auth user: an API key SID (SK…, Twilio's recommendation) or, when unset, the
  // account SID itself (with its auth token).
  std::optional<std::string> api_key_sid;
  std::optional<std::string> secret_env;  // name of the environment variable with the secret
  std::optional<std::string>
      secret_file;  // file with the secret; may start $CREDENTIALS_DIRECTORY/
  std::string api_url = "https://insights.twilio.com";
  // An http:// api_url is refused unless this is set to true: plain HTTP sends the Basic-auth
  // secret in the clear, so it is only for a local simulator.
  bool allow_insecure_http = false;
  std::optional<std::string> ca_file;  // trust only this CA (PEM), e.g. insights-sim's
  int concurrency = 4;                 // requests in flight at most, 1..64
  SummaryFilters filters;

  const std::string& username() const { return api_key_sid ? *api_key_sid : account_sid; }
  bool operator==(const SourceOptions&) const = default;
};

}  // namespace insights
