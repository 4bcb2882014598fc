#pragma once
// How an HTTP exchange failed on the wire (not an HTTP status: those are responses), with the
// retry decision attached:
//   certificate    → stop the source (retrying against the same CA cannot succeed; a human must
//   act) body_too_large → park   (this request's answer will not fit; other work goes on)
//   everything else → retry (networks heal, servers restart)
// Messages name host:port and the step, never the request's Authorization header.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace insights {

enum class TransportFailure {
  resolve,         // the host name did not resolve
  connect,         // TCP connect failed (refused, unreachable)
  tls_handshake,   // TLS failed for a reason other than the certificate
  certificate,     // the server's certificate did not verify (CA or host name)
  timeout,         // a step missed its deadline
  reset,           // the server reset the connection
  closed_early,    // the server closed the connection before the response was complete
  body_too_large,  // the response body exceeds HttpClientOptions::max_body_bytes
  protocol,        // the bytes are not a valid HTTP/1.1 response
  cancelled,       // HttpClient::close() was called
};

std::string_view to_string(TransportFailure failure);
ErrorKind error_kind_of(TransportFailure failure);

class HttpTransportError : public SyncError {
 public:
  HttpTransportError(TransportFailure failure, const std::string& message)
      : SyncError(error_kind_of(failure), message, FailureFacts{.http_status = 0},
                  kExitSourceRefused),
        failure_(failure) {}
  TransportFailure failure() const { return failure_; }

 private:
  TransportFailure failure_;
};

}  // namespace insights
