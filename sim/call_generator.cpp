#include "sim/call_generator.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/twilio_vocabulary.hpp"
#include "sim/call_parties.hpp"
#include "sim/payload_shape.hpp"
#include "sim/seeded_random.hpp"

namespace insights::sim {
namespace {

using std::string_view_literals::operator""sv;
using Choice = Weighted<std::string_view>;

// Separate streams: the start time must be computable without drawing the whole call.
constexpr std::uint64_t kStartStream = 0x57a7;
constexpr std::uint64_t kCallStream = 0xca1;

constexpr int kShortestLongCallSeconds = 1800;
constexpr std::size_t kMaxAccountsInSid = 0x10000;  // 4 hex digits in the call SID
constexpr int kMaxCallsPerHourInSid = 0x10000;

constexpr std::array kCallTypes{Choice{"carrier", 45}, Choice{"client", 20}, Choice{"trunking", 15},
                                Choice{"sip", 12}, Choice{"whatsapp", 8}};

constexpr std::array kCarrierDirections{Choice{"inbound", 45}, Choice{"outbound_api", 35},
                                        Choice{"outbound_dial", 20}};
constexpr std::array kClientDirections{Choice{"inbound", 40}, Choice{"outbound_dial", 45},
                                       Choice{"outbound_api", 15}};
constexpr std::array kSipDirections{Choice{"inbound", 50}, Choice{"outbound_dial", 50}};
constexpr std::array kTrunkingDirections{Choice{"trunking_originating", 50},
                                         Choice{"trunking_terminating", 50}};
constexpr std::array kWhatsappDirections{Choice{"inbound", 70}, Choice{"outbound_api", 30}};

constexpr std::array kCallStates{
    Choice{"completed", 800}, Choice{"noanswer", 60}, Choice{"busy", 45},    Choice{"canceled", 40},
    Choice{"fail", 35},       Choice{"undialed", 8},  Choice{"answered", 7}, Choice{"ringing", 5}};

constexpr std::array kAmdResults{Choice{"human", 50},
                                 Choice{"machine_start", 25},
                                 Choice{"machine_end_beep", 8},
                                 Choice{"machine_end_silence", 4},
                                 Choice{"machine_end_other", 4},
                                 Choice{"unknown", 7},
                                 Choice{"fax", 2}};

constexpr std::array kFailResponses{404, 500, 503, 403, 488, 410};
constexpr std::array kNoAnswerResponses{480, 408};

// Gateway tags apply to every call type; the SDK adds its own (Twilio's "Voice Insights call tags"
// page).
constexpr std::array kGatewayTags{Choice{"high_jitter", 30}, Choice{"high_packet_loss", 25},
                                  Choice{"silence", 20}, Choice{"high_pdd", 15},
                                  Choice{"high_latency", 10}};
constexpr std::array kSdkTags{Choice{"high_jitter", 20}, Choice{"high_packet_loss", 20},
                              Choice{"low_mos", 20},     Choice{"high_latency", 15},
                              Choice{"silence", 10},     Choice{"ice_failure", 5}};

std::span<const Choice> directions_for(std::string_view call_type) {
  if (call_type == "client")
    return kClientDirections;
  if (call_type == "sip")
    return kSipDirections;
  if (call_type == "trunking")
    return kTrunkingDirections;
  if (call_type == "whatsapp")
    return kWhatsappDirections;
  return kCarrierDirections;
}

bool is_connected(std::string_view call_state) {
  return call_state == "completed" || call_state == "answered";
}

int draw_last_sip_response(SeededRandom& random, std::string_view call_state) {
  if (is_connected(call_state))
    return 200;
  if (call_state == "busy")
    return 486;
  if (call_state == "canceled")
    return 487;
  if (call_state == "noanswer")
    return random.pick(std::span<const int>(kNoAnswerResponses));
  if (call_state == "fail")
    return random.pick(std::span<const int>(kFailResponses));
  return 0;  // undialed, ringing: no final SIP response was ever received
}

struct Durations {
  int total = 0;
  int connected = 0;
};

Durations draw_durations(SeededRandom& random, const GeneratorOptions& options,
                         std::string_view call_state) {
  const int longest = options.longest_call_seconds;
  if (!is_connected(call_state)) {
    int total = 0;
    if (call_state == "busy")
      total = static_cast<int>(random.between(0, 5));
    if (call_state == "noanswer")
      total = static_cast<int>(random.between(15, 60));
    if (call_state == "canceled")
      total = static_cast<int>(random.between(1, 30));
    if (call_state == "fail")
      total = static_cast<int>(random.between(0, 3));
    if (call_state == "ringing")
      total = static_cast<int>(random.between(5, 60));
    return {std::min(total, longest), 0};
  }
  const int ring = static_cast<int>(random.between(2, 25));
  int talk = 0;
  if (random.chance(options.long_call_fraction)) {
    talk = static_cast<int>(
        random.between(std::min(kShortestLongCallSeconds, longest - ring), longest - ring));
  } else if (random.chance(0.9)) {
    // The smaller of two uniform draws: most calls are short, a few approach ten minutes.
    talk = static_cast<int>(std::min(random.between(3, 600), random.between(3, 600)));
  } else {
    talk = static_cast<int>(random.between(600, 1800));
  }
  const int total = std::min(ring + talk, longest);
  return {total, std::max(total - ring, 0)};
}

std::vector<std::string> draw_tags(SeededRandom& random, std::string_view call_type,
                                   std::string_view call_state) {
  std::vector<std::string> tags;
  if (call_state == "undialed")
    return tags;
  if (!is_connected(call_state)) {
    if (random.chance(0.03))
      tags.emplace_back("high_pdd");
    return tags;
  }
  if (!random.chance(0.22))
    return tags;
  const std::span<const Choice> pool =
      call_type == "client" ? std::span<const Choice>(kSdkTags) : kGatewayTags;
  const int count = random.chance(0.7) ? 1 : 2;
  while (static_cast<int>(tags.size()) < count) {
    const std::string_view tag = pick_weighted(random, pool);
    if (std::find(tags.begin(), tags.end(), tag) == tags.end())
      tags.emplace_back(tag);
  }
  return tags;
}

std::vector<SimTime> draw_annotation_edits(SeededRandom& random, SimTime complete_at,
                                           int latest_hours) {
  constexpr std::int64_t kHour = 3600, kTwoDays = 48 * kHour;
  const std::int64_t latest = latest_hours * kHour;
  std::vector<SimTime> edits;
  const auto count = random.between(1, 3);
  for (std::int64_t i = 0; i < count; ++i) {
    // Half in the first two days (most reviews happen soon), half at any later age up to the
    // latest: annotations are editable as long as Twilio keeps the summary.
    const bool soon = latest <= kTwoDays || random.chance(0.5);
    const auto after =
        soon ? random.between(kHour, std::min(latest, kTwoDays)) : random.between(kTwoDays, latest);
    edits.push_back(complete_at + std::chrono::seconds(after));
  }
  std::sort(edits.begin(), edits.end());
  // Distinct instants, so each edit is its own annotation version.
  for (std::size_t i = 1; i < edits.size(); ++i) {
    if (edits[i] <= edits[i - 1])
      edits[i] = edits[i - 1] + std::chrono::seconds(1);
  }
  return edits;
}

}  // namespace

std::vector<std::string> generator_option_problems(const GeneratorOptions& options) {
  std::vector<std::string> problems;
  if (options.calls_per_hour < 0 || options.calls_per_hour >= kMaxCallsPerHourInSid) {
    problems.push_back("calls_per_hour must be in 0..65535");
  }
  if (options.accounts.empty() || options.accounts.size() > kMaxAccountsInSid) {
    problems.push_back("accounts must list 1..65536 account SIDs");
  }
  for (const auto& sid : options.accounts) {
    if (!is_twilio_sid(sid, "AC"))
      problems.push_back("account SID '" + sid + "' is not AC + 32 hex digits");
  }
  if (options.subaccounts_per_account < 0 || options.subaccounts_per_account > 1000) {
    problems.push_back("subaccounts_per_account must be in 0..1000");
  }
  if (options.partial_delay_min < 0 || options.partial_delay_min > options.partial_delay_max) {
    problems.push_back("partial delays must satisfy 0 <= partial_delay_min <= partial_delay_max");
  }
  if (options.complete_delay_min < 0 || options.complete_delay_min > options.complete_delay_max) {
    problems.push_back(
        "complete delays must satisfy 0 <= complete_delay_min <= complete_delay_max");
  }
  if (options.complete_delay_max <= options.partial_delay_min) {
    problems.push_back("complete_delay_max must exceed partial_delay_min");
  }
  if (!(options.long_call_fraction >= 0.0 && options.long_call_fraction <= 1.0)) {
    problems.push_back("long_call_fraction must be in [0, 1]");
  }
  if (options.latest_annotation_edit_hours < 1 || options.latest_annotation_edit_hours > 696) {
    problems.push_back("latest_annotation_edit_hours must be in 1..696 (29 days)");
  }
  if (!(options.annotation_edit_fraction >= 0.0 && options.annotation_edit_fraction <= 1.0)) {
    problems.push_back("annotation_edit_fraction must be in [0, 1]");
  }
  if (options.longest_call_seconds < 60 || options.longest_call_seconds > 24 * 3600) {
    problems.push_back("longest_call_seconds must be in 60..86400");
  }
  return problems;
}

std::vector<AccountFamily> account_families(const GeneratorOptions& options) {
  std::vector<AccountFamily> families;
  families.reserve(options.accounts.size());
  for (const auto& parent : options.accounts) {
    AccountFamily family;
    family.sids.push_back(parent);
    for (auto& sub : subaccount_sids(parent, options.subaccounts_per_account)) {
      family.sids.push_back(std::move(sub));
    }
    families.push_back(std::move(family));
  }
  return families;
}

SimTime call_start_time(const GeneratorOptions& options, const CallSidParts& parts) {
  SeededRandom random(
      derive_seed({options.seed, kStartStream, static_cast<std::uint64_t>(parts.hour),
                   static_cast<std::uint64_t>(parts.parent_index),
                   static_cast<std::uint64_t>(parts.call_index)}));
  const std::chrono::seconds one_hour = std::chrono::hours(1);
  return SimTime(std::chrono::hours(parts.hour) +
                 std::chrono::seconds(random.between(0, one_hour.count() - 1)));
}

SimCall generate_call(const GeneratorOptions& options, const AccountFamily& family,
                      const CallSidParts& parts) {
  SeededRandom random(
      derive_seed({options.seed, kCallStream, static_cast<std::uint64_t>(parts.hour),
                   static_cast<std::uint64_t>(parts.parent_index),
                   static_cast<std::uint64_t>(parts.call_index)}));
  SimCall call;
  call.call_sid = make_call_sid(options.seed, parts);
  call.shape_seed = random.next();
  const PayloadShape shape = payload_shape(call.shape_seed);

  // Half of a parent's calls are its own; the rest spread evenly over its subaccounts.
  const bool on_parent = family.sids.size() == 1 || random.chance(0.5);
  call.account_sid =
      on_parent ? family.sids.front() : family.sids[1 + random.index(family.sids.size() - 1)];

  const std::string_view call_type = pick_weighted(random, std::span<const Choice>(kCallTypes));
  const std::string_view direction = pick_weighted(random, directions_for(call_type));
  const std::string_view call_state = pick_weighted(random, std::span<const Choice>(kCallStates));
  call.call_type = call_type;
  call.direction = direction;
  call.call_state = call_state;
  call.last_sip_response = draw_last_sip_response(random, call_state);

  call.start_time = call_start_time(options, parts);
  const Durations durations = draw_durations(random, options, call_state);
  call.duration = durations.total;
  call.connect_duration = durations.connected;
  call.end_time = call.start_time + std::chrono::seconds(call.duration);
  call.created_time = call.start_time;
  if (direction == "outbound_api" && random.chance(0.15)) {
    call.created_time -= std::chrono::seconds(random.between(1, 8));  // queued for CPS
  }

  // AMD runs on answered outbound API calls to phones; payloads from before 2022 have no
  // such key.
  if (shape.has_answered_by_key() && call_type == "carrier" && direction == "outbound_api" &&
      is_connected(call_state) && random.chance(0.35)) {
    call.answered_by = std::string(pick_weighted(random, std::span<const Choice>(kAmdResults)));
  }

  CallParties parties = draw_parties(random, call_type, direction, call.account_sid);
  call.from_caller = std::move(parties.from.address);
  call.from_carrier = std::move(parties.from.carrier);
  call.from_country_code = std::move(parties.from.country_code);
  call.to_callee = std::move(parties.to.address);
  call.to_carrier = std::move(parties.to.carrier);
  call.to_country_code = std::move(parties.to.country_code);

  // SHAKEN/STIR verifies US callers on inbound PSTN legs; branding is for outbound calls.
  if (shape.has_trust_key()) {
    const bool pstn_caller = call_type == "carrier" || call_type == "trunking";
    const bool inbound = direction == "inbound" || direction == "trunking_terminating";
    call.verified_caller =
        pstn_caller && inbound && call.from_country_code == "US" && random.chance(0.45);
    call.branded_enabled = call_type == "carrier" && !inbound && random.chance(0.15);
  }

  call.complete_tags = draw_tags(random, call_type, call_state);

  call.partial_at = call.end_time + std::chrono::seconds(random.between(options.partial_delay_min,
                                                                        options.partial_delay_max));
  call.complete_at = call.end_time + std::chrono::seconds(random.between(
                                         options.complete_delay_min, options.complete_delay_max));
  if (call.complete_at <= call.partial_at) {
    call.complete_at = call.partial_at + std::chrono::seconds(1);
  }
  // Payloads without an annotation key cannot show annotation edits.
  if (shape.has_annotation_key() && random.chance(options.annotation_edit_fraction)) {
    call.annotation_edits =
        draw_annotation_edits(random, call.complete_at, options.latest_annotation_edit_hours);
  }
  return call;
}

}  // namespace insights::sim
