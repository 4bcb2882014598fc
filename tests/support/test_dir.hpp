#pragma once
// A directory of the running test's own (configs, logs, a sim's files) under gtest's temp dir,
// named after the test and this process; removed at the end unless the test failed, so its
// logs explain the failure.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace insights::testing {

class TestDir {
 public:
  explicit TestDir(const std::string& prefix) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + prefix + "-" + std::to_string(getpid()) + "-" + info->name();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TestDir() {
    if (!::testing::Test::HasFailure())
      std::filesystem::remove_all(path_);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace insights::testing
