#pragma once
// A real program started by a test (fork + exec), with its stdout and stderr captured in a file,
// so a test can kill it at an arbitrary instant, signal it, and wait for it with a deadline.
//
//   ChildProcess sync(INSIGHTS_SYNC_BINARY, {"--config", path, "sync", "--once"},
//                     dir + "/sync.log", {{"INSIGHTS_TEST_SIM_SECRET", "sim-auth-token"}});
//   const auto end = sync.wait_for(std::chrono::seconds(30));
//   ASSERT_TRUE(end) << "still running";
//   EXPECT_EQ(end->exit_code, 0) << sync.output();
//
// Output goes to a file rather than a pipe: a pipe nobody reads fills up and blocks the child,
// which would turn a chatty daemon into a hung test.
// Ownership: the object owns the process; its destructor SIGKILLs and reaps it if it still runs
// (so a failing assertion never leaves a stray process behind).
// Threading: use one object from one thread.
// Errors: a failed fork or an unwritable output file throw std::runtime_error; a binary that
// cannot be executed exits with code 127 (as a shell reports it).

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace insights::testing {

// How a child ended.
struct ChildExit {
  bool exited = false;  // true: exit_code is valid; false: killed by `signal`
  int exit_code = -1;
  int signal = 0;

  std::string describe() const;  // "exit code 3" / "killed by signal 9"
};

class ChildProcess {
 public:
  // Starts `binary` with `arguments`; the child inherits this process's environment plus
  // `environment` (overriding variables of the same name). stdout and stderr both go to
  // `output_file` (created or truncated).
  ChildProcess(std::string binary, std::vector<std::string> arguments, std::string output_file,
               std::map<std::string, std::string> environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `signal` (a no-op once the child has been reaped).
  void send(int signal);
  // True while the child has not ended (reaps it when it has).
  bool running();
  // Waits until the child ends or `timeout` passes; nullopt on timeout (the child keeps running).
  std::optional<ChildExit> wait_for(std::chrono::milliseconds timeout);
  // SIGKILL, then reap: how the child ended (it may have exited on its own just before).
  ChildExit kill_now();

  // Everything the child wrote so far.
  std::string output() const;
  const std::string& output_file() const { return output_file_; }

 private:
  bool try_reap();  // non-blocking; true when the child has been reaped (exit_ holds how)

  pid_t pid_ = -1;
  std::string output_file_;
  std::optional<ChildExit> exit_;
};

// Runs a program to completion: how it ended (nullopt when it outlived `timeout`; it is then
// killed) and its output.
struct ChildResult {
  std::optional<ChildExit> exit;
  std::string output;
};
ChildResult run_child(std::string binary, std::vector<std::string> arguments,
                      std::string output_file, std::map<std::string, std::string> environment,
                      std::chrono::milliseconds timeout);
// The exit code, or -1 when the child was killed or did not end in time.
int exit_code(const ChildResult& result);

// Polls `condition` every `every` until it holds or `timeout` passes; returns its last value.
// (Waits in tests poll with a deadline instead of sleeping for a fixed time.)
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace insights::testing
