#pragma once
// Whether a source's ca_file is one `run` can use: readable, and holding certificates OpenSSL
// loads from PEM (read the way OpenSSL reads a CA file for verification, so a file this check
// passes is one the TLS context of api/tls_client_context.hpp loads). check-config runs it so
// a bad file is found before the first request.
// Thread-safe: no shared state (OpenSSL's error queue is per thread).

#include <optional>
#include <string>

namespace insights {

struct CaFileCheck {
  std::string shown;  // the path for messages (core/configured_file.hpp)
  int certificates = 0;
  // nullopt when usable; else "cannot read ca_file /x: No such file or directory" or
  // "ca_file /x holds no PEM certificate OpenSSL can load (...)".
  std::optional<std::string> problem;
};

CaFileCheck check_ca_file(const std::string& path);

}  // namespace insights
