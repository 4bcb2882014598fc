#include "core/configured_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace insights {
namespace {

// errno's text; std::strerror is not thread-safe, the generic category's message is.
std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// Closes the descriptor on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string shown_path(const std::string& path) {
  const std::filesystem::path configured(path);
  if (configured.is_absolute())
    return path;
  std::error_code ignored;  // no working directory: show the path as it was given
  const std::filesystem::path resolved = std::filesystem::absolute(configured, ignored);
  if (resolved.empty())
    return path;
  return resolved.lexically_normal().string() + " (the relative path \"" + path +
         "\" from the working directory)";
}

ConfiguredFile read_configured_file(const std::string& path, std::size_t max_bytes) {
  ConfiguredFile file;
  // O_NONBLOCK: a FIFO without a writer would block the open; for regular files it changes
  // nothing.
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    file.error = errno_text(errno);
    return file;
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) == 0)
    file.mode = status.st_mode & 07777;
  std::string text;
  char buffer[8192];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      // A FIFO without data yet: nothing more to read now.
      if (errno == EAGAIN)
        break;
      file.error = errno_text(errno);
      return file;
    }
    if (got == 0)
      break;
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > max_bytes) {
      file.error = "it is larger than " + std::to_string(max_bytes) + " bytes";
      return file;
    }
  }
  file.text = std::move(text);
  return file;
}

}  // namespace insights
