#include "sim/call_store.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "sim/call_generator.hpp"
#include "sim/call_sid.hpp"

namespace insights::sim {
namespace {

constexpr std::int64_t kSecondsPerHour = 3600;

// Hours since the epoch containing `instant` (floor, also before 1970).
std::int64_t hour_of(SimTime instant) {
  const std::int64_t seconds = instant.time_since_epoch().count();
  return seconds >= 0 ? seconds / kSecondsPerHour
                      : -((-seconds + kSecondsPerHour - 1) / kSecondsPerHour);
}

bool by_start(const SimCall& a, const SimCall& b) {
  return std::tie(a.start_time, a.call_sid) < std::tie(b.start_time, b.call_sid);
}

bool by_end(const SimCall* a, const SimCall* b) {
  return std::tie(a->end_time, a->call_sid) < std::tie(b->end_time, b->call_sid);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty())
      joined += separator;
    joined += part;
  }
  return joined;
}

}  // namespace

CallStore::CallStore(GeneratorOptions options) : options_(std::move(options)) {
  const auto problems = generator_option_problems(options_);
  if (!problems.empty()) {
    throw std::invalid_argument("invalid sim data options: " + join(problems, "; "));
  }
}

CallStore::~CallStore() = default;

std::vector<std::string> CallStore::account_sids() const {
  std::vector<std::string> sids;
  for (auto& family : account_families(options_)) {
    for (auto& sid : family.sids)
      sids.push_back(std::move(sid));
  }
  std::sort(sids.begin(), sids.end());
  return sids;
}

// Callers bound [from, to) to the retention window: every hour the range touches is generated
// and kept, so an unbounded range would generate decades of calls.
bool CallStore::owns(std::string_view parent_sid, std::string_view account_sid) const {
  if (parent_sid == account_sid)
    return true;
  const auto subaccounts = subaccount_sids(parent_sid, options_.subaccounts_per_account);
  return std::find(subaccounts.begin(), subaccounts.end(), account_sid) != subaccounts.end();
}

std::vector<const SimCall*> CallStore::calls_starting_in(SimTime from, SimTime to) {
  std::vector<const SimCall*> found;
  if (from >= to)
    return found;
  const std::int64_t last_hour = hour_of(to - std::chrono::seconds(1));
  for (std::int64_t h = hour_of(from); h <= last_hour; ++h) {
    const auto& calls = hour(h);
    // Each hour is sorted by (start_time, call_sid) and hours do not overlap, so the
    // concatenation is sorted too.
    auto it = std::partition_point(calls.begin(), calls.end(),
                                   [from](const SimCall& call) { return call.start_time < from; });
    for (; it != calls.end() && it->start_time < to; ++it)
      found.push_back(&*it);
  }
  return found;
}

std::vector<const SimCall*> CallStore::calls_ending_in(SimTime from, SimTime to) {
  std::vector<const SimCall*> found;
  if (from >= to)
    return found;
  // A call ending at or after `from` started at most longest_call_seconds earlier.
  const std::int64_t first_hour =
      hour_of(from - std::chrono::seconds(options_.longest_call_seconds));
  const std::int64_t last_hour = hour_of(to - std::chrono::seconds(1));
  for (std::int64_t h = first_hour; h <= last_hour; ++h) {
    for (const SimCall& call : hour(h)) {
      if (call.end_time >= from && call.end_time < to)
        found.push_back(&call);
    }
  }
  std::sort(found.begin(), found.end(), by_end);
  return found;
}

const SimCall* CallStore::find(std::string_view call_sid) {
  const auto parts = parse_call_sid(call_sid);
  if (!parts || parts->parent_index >= static_cast<int>(options_.accounts.size()) ||
      parts->call_index >= options_.calls_per_hour) {
    return nullptr;
  }
  // Check the hash before generating: a forged or foreign SID must not fill the cache.
  if (make_call_sid(options_.seed, *parts) != call_sid)
    return nullptr;
  const auto& calls = hour(parts->hour);
  const SimTime start = call_start_time(options_, *parts);
  const auto it = std::partition_point(calls.begin(), calls.end(), [&](const SimCall& call) {
    return call.start_time < start || (call.start_time == start && call.call_sid < call_sid);
  });
  if (it == calls.end() || it->call_sid != call_sid)
    return nullptr;
  return &*it;
}

const std::vector<SimCall>& CallStore::hour(std::int64_t hour_index) {
  static const std::vector<SimCall> kNoCalls;
  // The SID holds the hour in 8 hex digits; the sim never serves times before 1970.
  if (hour_index < 0 || hour_index > std::numeric_limits<std::uint32_t>::max())
    return kNoCalls;
  if (auto it = hours_.find(hour_index); it != hours_.end())
    return it->second;

  std::vector<SimCall> calls;
  const auto families = account_families(options_);
  calls.reserve(families.size() * static_cast<std::size_t>(options_.calls_per_hour));
  for (std::size_t parent = 0; parent < families.size(); ++parent) {
    for (int index = 0; index < options_.calls_per_hour; ++index) {
      calls.push_back(generate_call(options_, families[parent],
                                    CallSidParts{hour_index, static_cast<int>(parent), index}));
    }
  }
  std::sort(calls.begin(), calls.end(), by_start);
  return hours_.emplace(hour_index, std::move(calls)).first->second;
}

}  // namespace insights::sim
