#pragma once
// Real Twilio response bodies kept in tests/fixtures/twilio/.

#include <string>
#include <vector>

namespace insights::testing {

std::string read_fixture(const std::string& name);

// File names of every list-page fixture (call_summaries_page_*.json), sorted.
std::vector<std::string> page_fixture_names();

}  // namespace insights::testing
