#include "core/error_kind.hpp"

namespace insights {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::retry:
      return "retry";
    case ErrorKind::park:
      return "park";
    case ErrorKind::fatal:
      return "fatal";
  }
  return "unknown";
}

}  // namespace insights
