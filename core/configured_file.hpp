#pragma once
// Reading a file the configuration names (secret_file, ca_file) so that a message about it
// helps: the absolute path it resolved to, errno's words when it cannot be read, and its
// permission bits. Nothing here repeats the file's content.
// Thread-safe: no shared state.

#include <cstddef>
#include <optional>
#include <string>

namespace insights {

// `path` for a message: itself when absolute; a relative path as the absolute path it
// resolved to, then what was configured: `/var/lib/x/token (the relative path "token" from the
// working directory)`.
std::string shown_path(const std::string& path);

struct ConfiguredFile {
  std::optional<std::string> text;  // the whole content; nullopt when it could not be read
  // Why not, in errno's words ("No such file or directory", "Is a directory") or "it is larger
  // than N bytes"; empty when read.
  std::string error;
  unsigned mode = 0;  // permission bits (st_mode & 07777) when the file could be opened
};

// Reads `path` whole, at most `max_bytes` (a secret or CA file that is bigger is not what the
// operator meant, e.g. /dev/zero). Never blocks on a FIFO without a writer (reads it as empty).
ConfiguredFile read_configured_file(const std::string& path, std::size_t max_bytes);

}  // namespace insights
