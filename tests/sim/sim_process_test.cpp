// The insights-sim executable as a user starts it: flags, port file, CA file, signals.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/sim_app.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_credentials.hpp"
#include "tests/support/test_dir.hpp"

namespace insights::sim {
namespace {

using insights::testing::basic_auth;
using insights::testing::HttpClientOptions;
using insights::testing::HttpTestClient;

// Starts insights-sim with `arguments`; returns its pid.
pid_t start_sim(const std::vector<std::string>& arguments) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string binary = INSIGHTS_SIM_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = arguments;
    for (auto& argument : copies)
      argv.push_back(argument.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string wait_for_file(const std::string& path) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(path);
    std::string text;
    if (in && std::getline(in, text) && !text.empty())
      return text;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return {};
}

// A client of the sim started with --port-file and --ca-file, verifying its certificate.
HttpClientOptions tls_client_options(const std::string& port, const std::string& ca_file) {
  HttpClientOptions options;
  options.port = static_cast<unsigned short>(std::stoi(port));
  options.tls = true;
  options.ca_file = ca_file;
  options.verify_host = "localhost";
  return options;
}

TEST(SimProcess, ServesHttpsWithItsCaFileAndStopsCleanlyOnSigterm) {
  const insights::testing::TestDir dir("sim-process");
  const std::string port_file = dir.path() + "/port", ca_file = dir.path() + "/ca.pem";
  const pid_t pid =
      start_sim({"--port", "0", "--port-file", port_file, "--ca-file", ca_file, "--calls-per-hour",
                 "30", "--credential", "AC00000000000000000000000000000001:proc-secret"});
  const std::string port = wait_for_file(port_file);
  ASSERT_FALSE(port.empty()) << "insights-sim did not write its port";

  HttpTestClient client(tls_client_options(port, ca_file));
  EXPECT_EQ(client.get("/_sim/health").status, 200);
  const auto page = client.get("/v1/Voice/Summaries?StartTime=1d&PageSize=10",
                               basic_auth(testing::kSimAccount, "proc-secret"));
  EXPECT_EQ(page.status, 200) << page.body.substr(0, 200);
  EXPECT_NE(page.body.find("\"call_summaries\":[{"), std::string::npos);
  EXPECT_EQ(client.get("/v1/Voice/Summaries", basic_auth(testing::kSimAccount, testing::kSimToken))
                .status,
            401)
      << "the default credential is replaced by --credential";

  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit_code(pid), 0);
}

TEST(SimProcess, SortDirectionDescListsTheLatestCallsFirst) {
  const insights::testing::TestDir dir("sim-process-desc");
  const std::string port_file = dir.path() + "/port", ca_file = dir.path() + "/ca.pem";
  const pid_t pid =
      start_sim({"--port", "0", "--port-file", port_file, "--ca-file", ca_file, "--start-time",
                 "2026-11-20T12:00:00Z", "--speed", "0", "--sort-direction", "desc"});
  const std::string port = wait_for_file(port_file);
  ASSERT_FALSE(port.empty()) << "insights-sim did not write its port";

  HttpTestClient client(tls_client_options(port, ca_file));
  const auto page = client.get(
      "/v1/Voice/Summaries?StartTime=2026-11-20T06:00:00Z&EndTime=2026-11-20T10:00:00Z"
      "&ProcessingState=all&PageSize=20",
      basic_auth(testing::kSimAccount, testing::kSimToken));
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 200);
  rapidjson::Document document;
  document.Parse(page.body.c_str(), page.body.size());
  ASSERT_FALSE(document.HasParseError());
  std::vector<std::string> start_times;  // ISO-8601 of one width: text order is time order
  for (const auto& item : document["call_summaries"].GetArray())
    start_times.emplace_back(item["start_time"].GetString());
  ASSERT_EQ(start_times.size(), 20u);
  EXPECT_TRUE(std::is_sorted(start_times.rbegin(), start_times.rend()));
  EXPECT_LT(start_times.back(), start_times.front());
  EXPECT_GE(start_times.back(), "2026-11-20T09:00:00Z") << "the window's latest calls come first";

  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit_code(pid), 0);
}

TEST(SimProcess, BadFlagsExitWithUsage) {
  for (const std::vector<std::string>& arguments : {std::vector<std::string>{"--no-such-flag"},
                                                    {"--time-filter", "created_time"},
                                                    {"--sort-direction", "descending"},
                                                    {"--fault", "reset_rate=7"},
                                                    {"--credential", "no-colon"},
                                                    {"--start-time", "yesterday"},
                                                    {"--speed", "-1"}}) {
    EXPECT_EQ(wait_exit_code(start_sim(arguments)), 2) << arguments.front();
  }
}

}  // namespace
}  // namespace insights::sim
