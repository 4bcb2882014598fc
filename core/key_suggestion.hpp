#pragma once
// The known key an unknown one was probably meant to be, for "unknown key sync.lease_second
// (did you mean sync.lease_seconds?)". Thread-safe: a pure function.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace insights {

// The key of `known` closest to `unknown`, or nullopt when none is close. Close means: equal
// once case, '-' and '_' are ignored (LeaseSeconds, lease-seconds), or at most two edits
// (core/edit_distance.hpp) apart and those edits at most a third of `unknown`'s length, so a
// short word is not "corrected" into an unrelated one (tz is not to). Of equally close keys,
// the first in `known` wins.
std::optional<std::string> nearest_key(std::string_view unknown,
                                       const std::vector<std::string>& known);

}  // namespace insights
