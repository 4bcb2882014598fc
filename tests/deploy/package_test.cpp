// The Debian package CPack builds: what it depends on, where it puts things, and that the
// binary inside runs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace insights {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;
};

Outcome run(const std::string& command) {
  Outcome outcome;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return outcome;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    outcome.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DebianPackage, BuildsWithTheBinaryUnitExampleSchemaAndDocsInFhsPlaces) {
  const std::string dir = ::testing::TempDir() + "package-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const Outcome built =
      run("cd '" + dir + "' && cpack -G DEB --config '" + std::string(INSIGHTS_BUILD_DIR) +
          "/CPackConfig.cmake' -B '" + dir + "'");
  ASSERT_EQ(built.exit_code, 0) << built.output;
  std::string deb;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".deb")
      deb = entry.path();
  }
  ASSERT_FALSE(deb.empty()) << built.output;

  const Outcome info = run("dpkg-deb --info '" + deb + "'");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  for (const char* field : {"Package: insights-sync", "Depends: ", "libpqxx-6.4", "libssl3",
                            "libsystemd0", "systemd"}) {
    EXPECT_TRUE(contains(info.output, field)) << field << "\n" << info.output;
  }
  const Outcome contents = run("dpkg-deb --contents '" + deb + "'");
  for (const char* path :
       {"./usr/bin/insights-sync", "./usr/lib/systemd/system/insights-sync.service",
        "./usr/share/doc/insights-sync/examples/insights-sync.example.toml",
        "./usr/share/doc/insights-sync/README.md",
        "./usr/share/insights-sync/schema/0001_initial.sql"}) {
    EXPECT_TRUE(contains(contents.output, path)) << path << "\n" << contents.output;
  }

  // The packaged binary runs and says which revision it was built from.
  const std::string root = dir + "/root";
  ASSERT_EQ(run("dpkg-deb -x '" + deb + "' '" + root + "'").exit_code, 0);
  const Outcome version = run("'" + root + "/usr/bin/insights-sync' --version");
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_TRUE(contains(version.output, "insights-sync 0.")) << version.output;
  EXPECT_TRUE(contains(version.output, "(git ")) << version.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace insights
