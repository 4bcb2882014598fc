// ca_file as check-config checks it: errno's words and the path for a file that cannot be read,
// OpenSSL's view of its PEM content, and the same verdict as the TLS context `run` builds.
#include "core/ca_file_check.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/tls_client_context.hpp"
#include "sim/tls_identity.hpp"
#include "tests/support/test_dir.hpp"

namespace insights {
namespace {

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// What `run` makes of the file: loads it or not.
bool tls_context_loads(const std::string& path) {
  try {
    make_tls_client_context(path);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

TEST(CaFileCheck, AFileThatCannotBeReadGivesErrnosWordsAndThePath) {
  testing::TestDir dir("ca-file");
  EXPECT_EQ(check_ca_file(dir.path() + "/missing.pem").problem,
            "cannot read ca_file " + dir.path() + "/missing.pem: No such file or directory");
  EXPECT_EQ(check_ca_file(dir.path()).problem,
            "cannot read ca_file " + dir.path() + ": Is a directory");
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(check_ca_file("no-such-ca.pem").problem,
            "cannot read ca_file " + cwd +
                "/no-such-ca.pem (the relative path \"no-such-ca.pem\" from the working "
                "directory): No such file or directory");
}

TEST(CaFileCheck, CountsTheCertificatesOfAGoodFile) {
  testing::TestDir dir("ca-file");
  const auto one = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
  const auto two = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
  const std::string single = write_file(dir.path() + "/one.pem", one.ca_certificate_pem);
  const CaFileCheck check = check_ca_file(single);
  EXPECT_EQ(check.problem, std::nullopt);
  EXPECT_EQ(check.certificates, 1);
  EXPECT_EQ(check.shown, single);
  const std::string bundle = write_file(
      dir.path() + "/two.pem", "# a comment\n" + one.ca_certificate_pem + two.ca_certificate_pem);
  EXPECT_EQ(check_ca_file(bundle).certificates, 2);
}

TEST(CaFileCheck, AFileWithoutAPemCertificateIsAProblem) {
  testing::TestDir dir("ca-file");
  const auto identity = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"empty.pem", ""},
           {"text.pem", "not a certificate\n"},
           {"key.pem", identity.server_private_key_pem},
       }) {
    const std::string path = write_file(dir.path() + "/" + name, text);
    EXPECT_EQ(check_ca_file(path).problem,
              "ca_file " + path + " holds no PEM certificate OpenSSL can load")
        << name;
  }
  // A block OpenSSL cannot decode spoils the whole file, for OpenSSL as for this check.
  const std::string broken =
      write_file(dir.path() + "/broken.pem",
                 identity.ca_certificate_pem +
                     "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  const auto problem = check_ca_file(broken).problem;
  ASSERT_TRUE(problem.has_value());
  EXPECT_TRUE(
      problem->starts_with("ca_file " + broken + " holds no PEM certificate OpenSSL can load ("))
      << *problem;
}

// check-config's verdict is the TLS context's: a file it passes is one `run` can load.
TEST(CaFileCheck, AgreesWithTheTlsContextRunBuilds) {
  testing::TestDir dir("ca-file");
  const auto identity = sim::make_tls_identity({"localhost"}, {"127.0.0.1"});
  const std::vector<std::string> files = {
      write_file(dir.path() + "/good.pem", identity.ca_certificate_pem),
      write_file(dir.path() + "/chain.pem",
                 identity.server_certificate_pem + identity.ca_certificate_pem),
      write_file(dir.path() + "/empty.pem", ""),
      write_file(dir.path() + "/text.pem", "hello\n"),
      write_file(dir.path() + "/broken.pem", identity.ca_certificate_pem +
                                                 "-----BEGIN CERTIFICATE-----\n!!!!\n"
                                                 "-----END CERTIFICATE-----\n"),
      dir.path() + "/missing.pem",
  };
  for (const auto& file : files) {
    EXPECT_EQ(!check_ca_file(file).problem.has_value(), tls_context_loads(file)) << file;
  }
}

}  // namespace
}  // namespace insights
