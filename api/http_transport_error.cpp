#include "api/http_transport_error.hpp"

namespace insights {

std::string_view to_string(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::resolve:
      return "resolve";
    case TransportFailure::connect:
      return "connect";
    case TransportFailure::tls_handshake:
      return "tls_handshake";
    case TransportFailure::certificate:
      return "certificate";
    case TransportFailure::timeout:
      return "timeout";
    case TransportFailure::reset:
      return "reset";
    case TransportFailure::closed_early:
      return "closed_early";
    case TransportFailure::body_too_large:
      return "body_too_large";
    case TransportFailure::protocol:
      return "protocol";
    case TransportFailure::cancelled:
      return "cancelled";
  }
  return "unknown";
}

ErrorKind error_kind_of(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::certificate:
      return ErrorKind::stop_source;
    case TransportFailure::body_too_large:
      return ErrorKind::park;
    default:
      return ErrorKind::retry;
  }
}

}  // namespace insights
