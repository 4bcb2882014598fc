#pragma once
// Loading a source's secret (its auth token or API key secret) from where the configuration
// says: an environment variable (secret_env) or a file (secret_file, which may start with
// `$CREDENTIALS_DIRECTORY/` for systemd's LoadCredential=).
//
// Messages say where it looked and what went wrong there (errno's words, the absolute path),
// never the secret. Problems and warnings here do not name the source: callers put its label
// (core/source_label.hpp) in front.
// Thread-safe when `environment` is.

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/source_config.hpp"

namespace insights {

struct SourceSecret {
  std::string value;  // the secret, trailing line breaks dropped; keep it out of every message
  // Where it came from, for report lines: "secret_env TWILIO_AUTH_TOKEN" or
  // "secret_file /run/credentials/insights-sync.service/twilio-token".
  std::string origin;
  // What works but should not be so: a secret_file that others can read.
  std::vector<std::string> warnings;
};

using EnvironmentLookup = std::function<const char*(const char*)>;

// Loads the secret. Throws ConfigError (origin `source "NAME"`) with one problem: the variable
// is unset or empty; $CREDENTIALS_DIRECTORY is unset (with how to check such a configuration
// outside systemd); the file cannot be read (errno's words, the path it resolved to); or it
// holds no secret.
SourceSecret load_source_secret(const SourceOptions& source,
                                const EnvironmentLookup& environment = std::getenv);

}  // namespace insights
