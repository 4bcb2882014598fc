#include "sim/annotation_json.hpp"

#include <array>
#include <string_view>

#include "sim/name_pools.hpp"
#include "sim/seeded_random.hpp"

namespace insights::sim {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::uint64_t kAnnotationStream = 0xa770;

constexpr std::array kAnsweredBy{"human"sv, "human"sv, "machine"sv, "unknown_answered_by"sv};
constexpr std::array kConnectivityIssues{"no_connectivity_issue"sv,
                                         "no_connectivity_issue"sv,
                                         "invalid_number"sv,
                                         "caller_id"sv,
                                         "dropped_call"sv,
                                         "number_reachability"sv,
                                         "unknown_connectivity_issue"sv};
constexpr std::array kQualityIssues{
    "low_volume"sv, "choppy_robotic"sv, "echo"sv, "dtmf"sv, "latency"sv, "owa"sv, "static_noise"sv};

bool has_initial_annotation(std::uint64_t shape_seed) {
  SeededRandom random(derive_seed({shape_seed, kAnnotationStream}));
  return random.chance(0.08);
}

}  // namespace

void append_annotation_json(JsonAppender& json, std::uint64_t shape_seed,
                            const CallSnapshot& snapshot) {
  const int version = snapshot.annotation_version;
  if (snapshot.visibility != Visibility::complete ||
      (version == 0 && !has_initial_annotation(shape_seed))) {
    json.null();
    return;
  }
  SeededRandom random(
      derive_seed({shape_seed, kAnnotationStream, static_cast<std::uint64_t>(version)}));
  // The score walks through 1..5 with the version, so consecutive versions always differ.
  const auto base_score = SeededRandom(derive_seed({shape_seed, kAnnotationStream})).between(0, 4);
  json.begin_object();
  json.string_member("answered_by", random.pick(std::span<const std::string_view>(kAnsweredBy)));
  json.string_member("connectivity_issue",
                     random.pick(std::span<const std::string_view>(kConnectivityIssues)));
  json.key("quality_issues");
  json.begin_array();
  const auto issue_count = random.between(0, 2);
  if (issue_count == 0)
    json.string("no_quality_issue");
  const auto first = random.index(kQualityIssues.size());
  for (std::int64_t i = 0; i < issue_count; ++i) {
    json.string(kQualityIssues[(first + static_cast<std::size_t>(i)) % kQualityIssues.size()]);
  }
  json.end_array();
  json.boolean_member("spam", random.chance(0.05));
  json.integer_member("call_score", 1 + (base_score + version) % 5);
  if (random.chance(0.5))
    json.string_member("comment", random.pick(annotation_comments()));
  json.end_object();
}

}  // namespace insights::sim
