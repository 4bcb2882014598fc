#include "tests/support/summary_builder.hpp"

#include <cstdio>

#include "tests/support/sim_credentials.hpp"

namespace insights::testing {

std::string call_sid(int n) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "CA%032x", n);
  return buffer;
}

std::string started_at(const std::string& start) {
  std::string member = R"("start_time": ")";
  member += start;
  member += '"';
  return member;
}

std::string summary_json(const std::string& sid, const std::string& processing_state,
                         const std::string& extra_members) {
  std::string json = R"({"call_sid": ")" + sid + R"(", "account_sid": ")" + kSimAccount +
                     R"(",)"
                     R"( "call_type": "carrier", "call_state": "completed",)"
                     R"( "processing_state": ")" +
                     processing_state +
                     R"(", "start_time": "2026-11-01T00:10:00Z",)"
                     R"( "end_time": "2026-11-01T00:12:00Z", "duration": 120,)"
                     R"( "connect_duration": 118, "from": {"caller": "+15555550100"},)"
                     R"( "to": {"callee": "+15555550101"}, "properties": {"direction": "inbound"})";
  if (!extra_members.empty())
    json += ", " + extra_members;
  return json + "}";
}

std::string page_json(const std::vector<std::string>& items, const std::string& next_page_url) {
  std::string json = R"({"meta": {"page": 0, "page_size": 1000, "key": "call_summaries",)"
                     R"( "next_page_url": )" +
                     (next_page_url.empty() ? std::string("null") : "\"" + next_page_url + "\"") +
                     R"(}, "call_summaries": [)";
  for (size_t i = 0; i < items.size(); ++i)
    json += (i ? ", " : "") + items[i];
  return json + "]}";
}

}  // namespace insights::testing
