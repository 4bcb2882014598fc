#include "core/error.hpp"

namespace insights {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::retry:
      return "retry";
    case ErrorKind::park:
      return "park";
    case ErrorKind::stop_source:
      return "stop the source";
    case ErrorKind::stop_process:
      return "stop the process";
  }
  return "unknown";
}

}  // namespace insights
