// The Debian package CPack builds: what it depends on, where it puts things, and that the
// binary inside runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/shell_command.hpp"

namespace insights {
namespace {

using testing::run_shell;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
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

  const testing::CommandOutcome info = run_shell("dpkg-deb --info '" + deb + "'");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  for (const char* field : {"Package: insights-sync", "Depends: ", "libpqxx-6.4", "libssl3",
                            "libsystemd0", "systemd"}) {
    EXPECT_TRUE(contains(info.output, field)) << field << "\n" << info.output;
  }
  const testing::CommandOutcome contents = run_shell("dpkg-deb --contents '" + deb + "'");
  for (const char* path :
       {"./usr/bin/insights-sync", "./usr/lib/systemd/system/insights-sync.service",
        "./usr/share/doc/insights-sync/examples/insights-sync.example.toml",
        "./usr/share/doc/insights-sync/README.md",
        "./usr/share/insights-sync/schema/0001_initial.sql"}) {
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
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace insights
