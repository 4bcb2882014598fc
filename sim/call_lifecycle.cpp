// snapshot_at (declared in sim/sim_call.hpp): a call's state in the API is a pure function of
// the sim clock, so a client paging while the clock moves sees exactly what the real service
// would: nothing before partial_at, the partial summary until complete_at, then the complete
// one, whose annotation changes at each instant listed in annotation_edits.
#include <algorithm>

#include "sim/sim_call.hpp"

namespace insights::sim {

CallSnapshot snapshot_at(const SimCall& call, SimTime now) {
  if (now < call.partial_at)
    return {Visibility::hidden, 0};
  if (now < call.complete_at)
    return {Visibility::partial, 0};
  // annotation_edits is sorted; an edit at `now` has already happened.
  const auto edits_so_far =
      std::upper_bound(call.annotation_edits.begin(), call.annotation_edits.end(), now) -
      call.annotation_edits.begin();
  return {Visibility::complete, static_cast<int>(edits_so_far)};
}

}  // namespace insights::sim
