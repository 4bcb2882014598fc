// Config texts that made toml++ 3.3.0 reach __builtin_unreachable() (core/toml_text_guard.hpp),
// among them the fuzzer's crashing input: each is now a clear ConfigError, while non-ASCII text
// where TOML allows it (strings, comments, override values) still loads.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/config.hpp"
#include "core/toml_text_guard.hpp"

namespace insights {
namespace {

std::string first_problem(const std::string& text) {
  try {
    parse_config(text, "hostile.toml");
  } catch (const ConfigError& error) {
    return error.problems().empty() ? "no problem listed" : error.problems().front();
  }
  return "loaded";
}

// A config seed of the fuzzer (fuzz/seeds/config_loader/), as bytes.
std::string config_seed(const std::string& name) {
  std::string path = INSIGHTS_SOURCE_DIR;
  path += "/fuzz/seeds/config_loader/";
  path += name;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HostileConfig, TheFuzzersCrashingInputIsAClearError) {
  const std::string text = config_seed("fuzz_crash_non_ascii_between_tokens.toml");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(first_problem(text),
            "line 3, column 8: a non-ASCII character outside a string or comment");
}

TEST(HostileConfig, TheFuzzersSecondCrashingInputIsAClearError) {
  // A quote inside a bare token (`3"...`) starts no string for toml++, which reads on.
  const std::string text = config_seed("fuzz_crash_quote_inside_token.toml");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(first_problem(text),
            "line 2, column 63: a non-ASCII character outside a string or comment");
}

TEST(HostileConfig, TheFuzzersThirdCrashingInputIsAClearError) {
  // A bare value (`3=`) goes on through `=` and quotes: toml++ reads `3="AC…ɚ` as one token.
  const std::string text = config_seed("fuzz_crash_quote_after_equals_in_value.toml");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(first_problem(text),
            "line 2, column 63: a non-ASCII character outside a string or comment");
  EXPECT_EQ(first_problem("[log]\nlevel = true\"\xC9\x9A\"\n"),
            "line 2, column 14: a non-ASCII character outside a string or comment");
  // A value that ends before its quote, and quoted keys of inline tables, still load.
  EXPECT_EQ(
      toml_text_problem("a = 3 # \"\xC9\x9A\nb = [1, \"\xC9\x9A\"]\nc = {d = 1, e=\"\xC9\x9A\"}\n"),
      std::nullopt);
}

TEST(HostileConfig, NonAsciiBetweenTokensIsRefusedBeforeTomlSeesIt) {
  EXPECT_EQ(first_problem("[log]\nlevel = \"info\" \xC3\xBC\n"),
            "line 2, column 16: a non-ASCII character outside a string or comment");
  EXPECT_EQ(first_problem("[log]\nlevel\xC3\xBC = \"info\"\n"),
            "line 2, column 6: a non-ASCII character outside a string or comment");
  EXPECT_EQ(first_problem("[sync]\nwindow_minutes = 6\xEF\xB9\x90\n"),  // U+FE50
            "line 2, column 19: a non-ASCII character outside a string or comment");
  EXPECT_EQ(first_problem("[log]\nlevel = \"\"\"a \\\n  \xC3\xBC\"\"\"\n"),
            "line 3, column 3: a non-ASCII character right after a backslash in a \"\"\" string");
  EXPECT_EQ(toml_text_problem("a = \"\"\"x\\\xC3\xBC\"\"\""),
            "line 1, column 10: a non-ASCII character right after a backslash in a \"\"\" string");
}

TEST(HostileConfig, NonAsciiInStringsAndCommentsStillLoads) {
  const AppConfig config = parse_config(
      "# Z\xC3\xBCrich office\n[database]\nurl = \"host=z\xC3\xBCrich dbname=d\"  # \xC3\xBC\n"
      "[sync]\ninstance_name = 'a'\n[[source]]\nname = \"main\"\n"
      "account_sid = \"AC00000000000000000000000000000001\"\nsecret_env = '''T\xC3\xBC'''\n"
      "[source.filters]\nfrom_carrier = \"\"\"Telef\xC3\xB3nica \\\n  M\"\"\"\n",
      "ok.toml");
  EXPECT_EQ(config.database.url, "host=z\xC3\xBCrich dbname=d");
  ASSERT_EQ(config.sources.size(), 1u);
  // Quotes inside strings do not end them early: """a""""" is a, then two quotes.
  EXPECT_EQ(toml_text_problem("a = \"\"\"x\"\"\"\"\" # \xC3\xBC\nb = '\xC3\xBC' # \"\n"),
            std::nullopt);
}

TEST(HostileConfig, ANonAsciiOverrideValueIsAPlainString) {
  const AppConfig config =
      parse_config("", "env.toml", {{"INSIGHTS__DATABASE__URL", "host=z\xC3\xBCrich"}});
  EXPECT_EQ(config.database.url, "host=z\xC3\xBCrich");
}

}  // namespace
}  // namespace insights
