#pragma once
// The one error vocabulary. Every failure that crosses a component boundary is a SyncError:
// its thrower decides the category (what the caller does about it), attaches the facts the
// failure policy needs (daemon/failure_policy.hpp), and, for a failure that ends the process,
// the exit code. Callers catch SyncError and ask it; nobody inspects the dynamic type.
// (docs/development.md, "Errors").

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "core/exit_codes.hpp"

namespace insights {

enum class ErrorKind {
  retry,         // transient: the same work may succeed later (network, lock, restart, 429)
  park,          // this work item's input is bad: stop retrying it, keep its error, go on
  stop_source,   // this source cannot work until a human acts (credentials, its filters,
                 // Advanced Features, the API's TLS certificate); other sources go on
  stop_process,  // nothing in this process can work until a human acts (the database
                 // refused, schema, instance name, listen address, configuration)
};

std::string_view to_string(ErrorKind kind);

// Both stop categories end the source's sync (stop_process ends the others too, as they meet it).
inline bool stops_source(ErrorKind kind) {
  return kind == ErrorKind::stop_source || kind == ErrorKind::stop_process;
}

// What a failure tells the failure policy beyond its kind; the thrower fills in what it knows.
struct FailureFacts {
  // An API request failed: its HTTP status, 0 when no answer came (network, TLS, timeout).
  std::optional<int> http_status = std::nullopt;
  int twilio_code = 0;  // 0: none
  // The API pushed back (429, 5xx, 408): back off and lower the source's concurrency.
  bool pushback = false;
  // The server's Retry-After: the backoff delay is at least this long.
  std::optional<std::chrono::seconds> retry_after = std::nullopt;
  bool restarts_pass = false;  // the page token was refused: read the window from page one
  // The input is bad (a page that does not parse): retrying the same request will not help,
  // so these failures count towards parking the work item.
  bool bad_input = false;
  bool database = false;  // the database failed or refused
};

// `what()` is a complete, human-readable message that never contains secrets.
class SyncError : public std::runtime_error {
 public:
  SyncError(ErrorKind kind, const std::string& message, FailureFacts facts = {},
            ExitCode exit_code = kExitInternalError)
      : std::runtime_error(message), kind_(kind), facts_(std::move(facts)), exit_code_(exit_code) {}
  ErrorKind kind() const { return kind_; }
  const FailureFacts& facts() const { return facts_; }
  // The process's exit code when this error ends it (stop_process, or any error reaching
  // the command line).
  ExitCode exit_code() const { return exit_code_; }

 private:
  ErrorKind kind_;
  FailureFacts facts_;
  ExitCode exit_code_;
};

// The database refused or failed; the kind comes from sink/pg_error_kind.hpp.
class DatabaseError : public SyncError {
 public:
  DatabaseError(ErrorKind kind, const std::string& message)
      : SyncError(kind, message, FailureFacts{.database = true}, kExitDatabase) {}
};

}  // namespace insights
