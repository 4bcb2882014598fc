// Loading a source's secret: where it looked and what went wrong there (errno's words, the
// absolute path), how to check a $CREDENTIALS_DIRECTORY config outside systemd, a warning for a
// file others can read; never the secret itself.
#include "core/source_secret.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/config.hpp"
#include "tests/support/test_dir.hpp"

namespace insights {
namespace {

constexpr const char* kEnvAndFileSources = R"(
[[source]]
name = "main"
account_sid = "AC00000000000000000000000000000001"
secret_env = "TWILIO_AUTH_TOKEN"

[[source]]
name = "eu-sub"
account_sid = "AC00000000000000000000000000000001"
secret_file = "$CREDENTIALS_DIRECTORY/twilio-eu"
)";

const std::string kSecret = "s3cr3t-file-value";

SourceOptions file_source(const std::string& path) {
  SourceOptions source;
  source.name = "main";
  source.account_sid = "AC00000000000000000000000000000001";
  source.secret_file = path;
  return source;
}

const char* no_environment(const char*) {
  return nullptr;
}

// The one problem load_source_secret reports (or "loaded").
std::string problem_of(const SourceOptions& source,
                       const EnvironmentLookup& environment = no_environment) {
  try {
    load_source_secret(source, environment);
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.problems().size(), 1u) << error.what();
    EXPECT_EQ(std::string(error.what()).find(kSecret), std::string::npos);
    return error.problems().at(0);
  }
  return "loaded";
}

std::string write_secret(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(SourceSecret, ComesFromTheEnvironmentOrAFileNeverTheConfig) {
  const AppConfig config = parse_config(kEnvAndFileSources, "sources.toml");
  std::map<std::string, std::string> environment = {{"TWILIO_AUTH_TOKEN", "env-secret"}};
  testing::TestDir dir("secrets");
  const std::string& directory = dir.path();
  environment["CREDENTIALS_DIRECTORY"] = directory;
  std::ofstream(directory + "/twilio-eu") << "file-secret\n";
  auto lookup = [&](const char* name) -> const char* {
    const auto it = environment.find(name);
    return it == environment.end() ? nullptr : it->second.c_str();
  };
  EXPECT_EQ(load_source_secret(config.sources[0], lookup).value, "env-secret");
  EXPECT_EQ(load_source_secret(config.sources[1], lookup).value, "file-secret");

  environment.erase("TWILIO_AUTH_TOKEN");
  try {
    load_source_secret(config.sources[0], lookup);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("TWILIO_AUTH_TOKEN"), std::string::npos);
  }
  environment.erase("CREDENTIALS_DIRECTORY");
  try {
    load_source_secret(config.sources[1], lookup);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("LoadCredential"), std::string::npos);
    EXPECT_EQ(std::string(error.what()).find("file-secret"), std::string::npos);
  }
}

TEST(SourceSecret, AFileThatCannotBeReadGivesErrnosWordsAndThePath) {
  testing::TestDir dir("source-secret");
  EXPECT_EQ(problem_of(file_source(dir.path() + "/missing-token")),
            "cannot read secret_file " + dir.path() + "/missing-token: No such file or directory");
  EXPECT_EQ(problem_of(file_source(dir.path())),
            "cannot read secret_file " + dir.path() + ": Is a directory");
  EXPECT_EQ(
      problem_of(file_source(dir.path() + "/missing-token/x")),
      "cannot read secret_file " + dir.path() + "/missing-token/x: No such file or directory");
  write_secret(dir.path() + "/not-a-dir", kSecret, 0600);
  EXPECT_EQ(problem_of(file_source(dir.path() + "/not-a-dir/x")),
            "cannot read secret_file " + dir.path() + "/not-a-dir/x: Not a directory");
}

TEST(SourceSecret, ARelativePathShowsTheAbsolutePathItResolvedTo) {
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(problem_of(file_source("no-such-dir/../no-such-token")),
            "cannot read secret_file " + cwd +
                "/no-such-token (the relative path \"no-such-dir/../no-such-token\" from the "
                "working directory): No such file or directory");
}

TEST(SourceSecret, CredentialsDirectoryIsExpandedInTheMessage) {
  testing::TestDir dir("source-secret");
  const SourceOptions source = file_source("$CREDENTIALS_DIRECTORY/twilio-token");
  const std::string credentials = dir.path() + "/credentials";
  const auto environment = [&](const char* name) -> const char* {
    return std::string(name) == "CREDENTIALS_DIRECTORY" ? credentials.c_str() : nullptr;
  };
  EXPECT_EQ(problem_of(source, environment),
            "cannot read secret_file " + credentials + "/twilio-token: No such file or directory");
  std::filesystem::create_directories(credentials);
  write_secret(credentials + "/twilio-token", kSecret + "\n", 0400);
  const SourceSecret secret = load_source_secret(source, environment);
  EXPECT_EQ(secret.value, kSecret);
  EXPECT_EQ(secret.origin, "secret_file " + credentials + "/twilio-token");
  EXPECT_EQ(secret.warnings, std::vector<std::string>{});
}

// Outside systemd the variable is unset: the message says how to check such a config anyway.
TEST(SourceSecret, CredentialsDirectoryUnsetExplainsHowToCheckOutsideSystemd) {
  const std::string problem = problem_of(file_source("$CREDENTIALS_DIRECTORY/twilio-token"));
  EXPECT_EQ(problem,
            "secret_file \"$CREDENTIALS_DIRECTORY/twilio-token\" needs $CREDENTIALS_DIRECTORY, "
            "which is not set: systemd sets it for a service with LoadCredential= (the unit "
            "insights-sync.service loads /etc/insights-sync/twilio-token as the credential "
            "twilio-token). To check this configuration outside systemd, set it to the directory "
            "that holds the file twilio-token, e.g. CREDENTIALS_DIRECTORY=/etc/insights-sync "
            "insights-sync --config /etc/insights-sync/insights-sync.toml check-config");
  const auto empty = [](const char*) -> const char* { return ""; };
  EXPECT_EQ(problem_of(file_source("$CREDENTIALS_DIRECTORY/twilio-token"), empty), problem);
}

TEST(SourceSecret, AFileOthersCanReadIsAWarning) {
  testing::TestDir dir("source-secret");
  const std::string path = dir.path() + "/twilio-token";
  const std::pair<mode_t, std::vector<std::string>> cases[] = {
      {0600, {}},
      {0400, {}},
      {0644, {"secret_file " + path + " can be read by others (mode 0644); chmod 600 it"}},
      {0640, {"secret_file " + path + " can be read by others (mode 0640); chmod 600 it"}},
      {0604, {"secret_file " + path + " can be read by others (mode 0604); chmod 600 it"}},
      {0620, {"secret_file " + path + " can be changed by others (mode 0620); chmod 600 it"}},
  };
  for (const auto& [mode, warnings] : cases) {
    write_secret(path, kSecret + "\n", mode);
    const SourceSecret secret = load_source_secret(file_source(path), no_environment);
    EXPECT_EQ(secret.value, kSecret);
    EXPECT_EQ(secret.warnings, warnings) << std::oct << mode;
  }
}

TEST(SourceSecret, AFileWithoutASecretIsAProblem) {
  testing::TestDir dir("source-secret");
  const std::string path = write_secret(dir.path() + "/empty", "\r\n\n", 0600);
  EXPECT_EQ(problem_of(file_source(path)),
            "secret_file " + path + " holds no secret (it is empty)");
  const std::string big = write_secret(dir.path() + "/big", std::string(70'000, 'x'), 0600);
  EXPECT_EQ(problem_of(file_source(big)),
            "cannot read secret_file " + big + ": it is larger than 65536 bytes");
  const auto empty = [](const char*) -> const char* { return ""; };
  SourceOptions from_env = file_source("");
  from_env.secret_file.reset();
  from_env.secret_env = "TWILIO_AUTH_TOKEN";
  EXPECT_EQ(problem_of(from_env, empty),
            "the environment variable TWILIO_AUTH_TOKEN (secret_env) is not set or empty");
}

}  // namespace
}  // namespace insights
