#pragma once
// The page URLs one pass of a window has followed, so that a pass whose paging loops ends.
//
// A window is read by following each page's next_page_url until one is null. An API (or a
// proxy, or a bug) that hands back a URL this pass already followed would send the pass round
// in a circle for ever, re-reading and re-committing the same pages. PageTrail notices the
// repeat before the page that points back is committed; the window is parked with a
// RepeatedPageUrlError naming the URL, and what earlier pages stored stays as it was.
// A loop back to the pass's first page (requested without a cursor) is noticed one lap later,
// when the second page's URL comes round again. Not thread-safe: one per pass.

#include <optional>
#include <set>
#include <string>

#include "core/error.hpp"

namespace insights {

// ErrorKind::park: re-reading will meet the same loop.
class RepeatedPageUrlError : public SyncError {
 public:
  explicit RepeatedPageUrlError(const std::string& message) : SyncError(ErrorKind::park, message) {}
};

class PageTrail {
 public:
  // `cursor`: where the pass starts (nullopt: its first page; else a next_page_url committed
  // earlier, which counts as followed).
  explicit PageTrail(const std::optional<std::string>& cursor);

  // Records that the pass will follow `next_page_url`; throws RepeatedPageUrlError when it
  // already has in this pass.
  void follow(const std::string& next_page_url);

 private:
  std::set<std::string> followed_;
};

}  // namespace insights
