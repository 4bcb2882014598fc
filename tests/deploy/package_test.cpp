// The Debian package CPack builds: what it depends on, where it puts things, and that the
// binary inside runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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

TEST(DebianPackage, BuildsWithTheBinaryUnitExampleSchemaMonitoringAndDocsInFhsPlaces) {
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
        "./usr/share/insights-sync/prometheus/insights-sync-rules.yml",
        "./usr/share/insights-sync/grafana/insights-sync-dashboard.json",
        "./usr/lib/x86_64-linux-gnu/insights-sync/libprometheus-cpp-core.so.1.0",
        "./etc/insights-sync/insights-sync.toml", "./usr/share/doc/insights-sync/CHANGELOG.md",
        "./usr/share/doc/insights-sync/docs/operations.md",
        "./usr/share/doc/insights-sync/docs/configuration.md"}) {
    EXPECT_TRUE(contains(contents.output, path)) << path << "\n" << contents.output;
  }

  // The configuration is a conffile (dpkg keeps an operator's edits); the maintainer scripts
  // reload systemd and stop the service on removal; no script enables or starts it.
  const testing::CommandOutcome info = run_shell("dpkg-deb --info '" + deb + "'");
  for (const char* part : {" conffiles", " postinst", " prerm", " postrm"})
    EXPECT_TRUE(contains(info.output, part)) << part << "\n" << info.output;
  const std::string control = dir + "/control";
  ASSERT_EQ(run_shell("dpkg-deb -e '" + deb + "' '" + control + "'").exit_code, 0);
  EXPECT_EQ(run_shell("cat '" + control + "/conffiles'").output,
            "/etc/insights-sync/insights-sync.toml\n");
  const std::string scripts =
      run_shell("cat '" + control + "/postinst' '" + control + "/prerm' '" + control + "/postrm'")
          .output;
  EXPECT_TRUE(contains(scripts, "systemctl --system daemon-reload")) << scripts;
  EXPECT_TRUE(contains(scripts, "systemctl --system stop insights-sync.service")) << scripts;
  for (const char* never :
       {"systemctl --system enable", "deb-systemd-helper enable", "systemctl --system start",
        "systemctl --system restart", "deb-systemd-invoke start", "deb-systemd-invoke restart"})
    EXPECT_FALSE(contains(scripts, never)) << never << "\n" << scripts;

  // One version everywhere: CMake's, the package's, --version's, the changelog's newest entry.
  EXPECT_EQ(run_shell("dpkg-deb --field '" + deb + "' Version").output,
            std::string(INSIGHTS_SYNC_VERSION) + "\n");

  // The packaged binary runs and says which revision it was built from.
  const std::string root = dir + "/root";
  ASSERT_EQ(run_shell("dpkg-deb -x '" + deb + "' '" + root + "'").exit_code, 0);
  const testing::CommandOutcome version =
      run_shell("'" + root + "/usr/bin/insights-sync' --version");
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_TRUE(
      contains(version.output, "insights-sync " + std::string(INSIGHTS_SYNC_VERSION) + " ("))
      << version.output;
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

// CHANGELOG.md's newest release is the version CMake builds, and every migration of schema/ has
// its row there (what it does, its compatibility, its grants and upgrade notes).
TEST(Changelog, NamesThisVersionFirstAndEveryMigration) {
  std::ifstream in(std::string(INSIGHTS_SOURCE_DIR) + "/CHANGELOG.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string changelog = text.str();
  const std::size_t first_release = changelog.find("\n## [");
  ASSERT_NE(first_release, std::string::npos) << changelog;
  EXPECT_EQ(changelog.substr(first_release + 5, std::string(INSIGHTS_SYNC_VERSION).size() + 1),
            std::string(INSIGHTS_SYNC_VERSION) + "]");
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(INSIGHTS_SOURCE_DIR) + "/schema")) {
    if (entry.path().extension() == ".sql") {
      // Appended, not "`" + stem() (GCC 12 rule 5, docs/development.md).
      std::string quoted = "`";
      quoted += entry.path().stem().string();
      quoted += '`';
      EXPECT_TRUE(contains(changelog, quoted)) << quoted << " is not in CHANGELOG.md";
    }
  }
}

}  // namespace
}  // namespace insights
