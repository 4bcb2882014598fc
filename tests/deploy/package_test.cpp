// The Debian package CPack builds: what it depends on, where it puts things, and that the
// binary inside runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/shell_command.hpp"

namespace insights {
namespace {

using testing::run_shell;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// "libc6 (>= 2.34), libpq5 (>= 9.0~)" -> {"libc6", "libpq5"}.
std::set<std::string> package_names(const std::string& field) {
  std::set<std::string> names;
  std::istringstream entries(field);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    std::istringstream words(entry);
    std::string name;
    if (words >> name)
      names.insert(name);
  }
  return names;
}

TEST(DebianPackage, BuildsWithTheBinaryUnitExampleSchemaAndDocsInFhsPlaces) {
  const std::string dir = ::testing::TempDir() + "package-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const testing::CommandOutcome built =
      run_shell("cd '" + dir + "' && cpack -G DEB --config '" + std::string(INSIGHTS_BUILD_DIR) +
                "/CPackConfig.cmake' -B '" + dir + "'");
  ASSERT_EQ(built.exit_code, 0) << built.output;
  std::string deb;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".deb")
      deb = entry.path();
  }
  ASSERT_FALSE(deb.empty()) << built.output;

  // Only libraries a Debian 12 server has once PostgreSQL's client library (libpq5) is there;
  // the rest is linked in or bundled (cmake/Dependencies.cmake, cmake/Packaging.cmake).
  const testing::CommandOutcome depends = run_shell("dpkg-deb --field '" + deb + "' Depends");
  ASSERT_EQ(depends.exit_code, 0) << depends.output;
  std::set<std::string> expected{"libc6",   "libgcc-s1",  "libpq5",
                                 "libssl3", "libstdc++6", "libsystemd0"};
  if (INSIGHTS_SANITIZED)  // the test suite's second build also needs the sanitizer runtimes
    expected.insert({"libasan8", "libubsan1"});
  EXPECT_EQ(package_names(depends.output), expected) << depends.output;
  EXPECT_EQ(run_shell("dpkg-deb --field '" + deb + "' Recommends").output, "systemd\n");
  const testing::CommandOutcome contents = run_shell("dpkg-deb --contents '" + deb + "'");
  for (const char* path :
       {"./usr/bin/insights-sync", "./usr/lib/systemd/system/insights-sync.service",
        "./usr/share/doc/insights-sync/examples/insights-sync.example.toml",
        "./usr/share/doc/insights-sync/README.md",
        "./usr/share/insights-sync/schema/0001_initial.sql",
        "./usr/lib/x86_64-linux-gnu/insights-sync/libprometheus-cpp-core.so.1.0"}) {
    EXPECT_TRUE(contains(contents.output, path)) << path << "\n" << contents.output;
  }

  // The packaged binary runs and says which revision it was built from.
  const std::string root = dir + "/root";
  ASSERT_EQ(run_shell("dpkg-deb -x '" + deb + "' '" + root + "'").exit_code, 0);
  const testing::CommandOutcome version =
      run_shell("'" + root + "/usr/bin/insights-sync' --version");
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_TRUE(contains(version.output, "insights-sync 0.")) << version.output;
  EXPECT_TRUE(contains(version.output, "(git ")) << version.output;

  // `dpkg -i` into a root holding only the closure of those Depends, then the binary runs there.
  const testing::CommandOutcome fresh = run_shell(
      "'" INSIGHTS_SOURCE_DIR "/tests/deploy/fresh-install.sh' '" + deb + "' '" + dir + "/fresh'");
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_TRUE(contains(fresh.output, "Setting up insights-sync")) << fresh.output;
  EXPECT_TRUE(contains(fresh.output, "insights-sync 0.")) << fresh.output;
  EXPECT_TRUE(contains(fresh.output, "fresh-install: installed and ran")) << fresh.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace insights
