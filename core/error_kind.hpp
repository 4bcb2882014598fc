#pragma once
// What the caller should do about a failure. Every error that crosses a component boundary
// carries one of these, so retry policy lives in one table per source of errors (HTTP, Twilio
// codes, libpqxx) instead of in scattered catch blocks.

#include <stdexcept>
#include <string>
#include <string_view>

namespace insights {

enum class ErrorKind {
  retry,  // transient: the same work may succeed later (network, lock, restart, rate limit)
  park,   // this work item's input is bad: stop retrying it, keep its error, go on with others
  fatal,  // nothing will work until a human acts (bad credentials, schema mismatch)
};

std::string_view to_string(ErrorKind kind);

// An error with its retry decision attached. `what()` is a complete, human-readable message
// that never contains secrets.
class SyncError : public std::runtime_error {
 public:
  SyncError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace insights
