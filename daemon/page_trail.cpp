#include "daemon/page_trail.hpp"

#include "api/quoted_excerpt.hpp"

namespace insights {

PageTrail::PageTrail(const std::optional<std::string>& cursor) {
  if (cursor)
    followed_.insert(*cursor);
}

void PageTrail::follow(const std::string& next_page_url) {
  if (!followed_.insert(next_page_url).second) {
    throw RepeatedPageUrlError("the API's next_page_url " + quoted_url_excerpt(next_page_url) +
                               " repeats a page URL this pass already followed (" +
                               std::to_string(followed_.size()) +
                               " followed): its paging loops; the window is parked rather than "
                               "read round in circles");
  }
}

}  // namespace insights
