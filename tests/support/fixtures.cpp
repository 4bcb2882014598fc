#include "tests/support/fixtures.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace insights::testing {

std::string read_fixture(const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(INSIGHTS_FIXTURES_DIR) / name;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read fixture " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> page_fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(INSIGHTS_FIXTURES_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("call_summaries_page_"))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace insights::testing
