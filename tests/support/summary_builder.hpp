#pragma once
// Builds call-summary JSON bodies for sink tests, so each test states only what it varies.

#include <string>
#include <vector>

namespace insights::testing {

// A call_sid of the right shape from a small number.
std::string call_sid(int n);

// One summary object. `extra_members` is spliced in verbatim (e.g. R"("annotation": {...})").
std::string summary_json(const std::string& sid, const std::string& processing_state,
                         const std::string& extra_members = "");

// The extra member `"start_time": "<start>"` (it replaces the summary's default start time).
std::string started_at(const std::string& start);

// A list page holding `items`; next_page_url is null when `next_page_url` is empty.
std::string page_json(const std::vector<std::string>& items, const std::string& next_page_url = "");

}  // namespace insights::testing
