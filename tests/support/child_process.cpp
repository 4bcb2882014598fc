#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace insights::testing {
namespace {

ChildExit exit_from_status(int status) {
  ChildExit result;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

// This process's environment with `overrides` replacing or adding variables, as "NAME=value".
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    if (!overrides.contains(name))
      result.push_back(text);
  }
  for (const auto& [name, value] : overrides)
    result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& text : strings)
    result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

std::string ChildExit::describe() const {
  return exited ? "exit code " + std::to_string(exit_code)
                : "killed by signal " + std::to_string(signal);
}

ChildProcess::ChildProcess(std::string binary, std::vector<std::string> arguments,
                           std::string output_file, std::map<std::string, std::string> environment)
    : output_file_(std::move(output_file)) {
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed (the test process may have threads).
  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<std::string> env_strings = merged_environment(environment);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);
  const int out = ::open(output_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0)
    throw std::runtime_error("cannot create " + output_file_ + ": " + std::strerror(errno));

  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(out);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // dup2 clears FD_CLOEXEC on the copies, so stdout and stderr survive the exec.
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0)
      ::dup2(null_in, STDIN_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(out);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_)
    kill_now();
}

bool ChildProcess::try_reap() {
  if (exit_)
    return true;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exit_ = exit_from_status(status);
    return true;
  }
  return false;
}

void ChildProcess::send(int signal) {
  if (!try_reap())
    ::kill(pid_, signal);
}

bool ChildProcess::running() {
  return !try_reap();
}

std::optional<ChildExit> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (eventually([this] { return try_reap(); }, timeout, std::chrono::milliseconds(10)))
    return exit_;
  return std::nullopt;
}

ChildExit ChildProcess::kill_now() {
  if (!try_reap()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_ = exit_from_status(status);
  }
  return *exit_;
}

std::string ChildProcess::output() const {
  std::ifstream in(output_file_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ChildResult run_child(std::string binary, std::vector<std::string> arguments,
                      std::string output_file, std::map<std::string, std::string> environment,
                      std::chrono::milliseconds timeout) {
  ChildProcess child(std::move(binary), std::move(arguments), std::move(output_file),
                     std::move(environment));
  ChildResult result;
  result.exit = child.wait_for(timeout);
  if (!result.exit)
    child.kill_now();
  result.output = child.output();
  return result;
}

int exit_code(const ChildResult& result) {
  return result.exit && result.exit->exited ? result.exit->exit_code : -1;
}

}  // namespace insights::testing
