#include "sim/summary_renderer.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "sim/annotation_json.hpp"
#include "sim/edge_json.hpp"
#include "sim/json_appender.hpp"
#include "sim/party_json.hpp"
#include "sim/payload_shape.hpp"
#include "sim/seeded_random.hpp"
#include "sim/short_text.hpp"

namespace insights::sim {
namespace {

using std::string_view_literals::operator""sv;

// One stream of draws per part of the payload, so the parts a partial and a complete summary
// share (parties, trust) come out identical in both.
constexpr std::uint64_t kPartiesStream = 0x9a27;
constexpr std::uint64_t kEdgesStream = 0xed9e;
constexpr std::uint64_t kDetailsStream = 0xde7a;
constexpr std::uint64_t kTrustStream = 0x7257;
constexpr std::uint64_t kExtraStream = 0xe474;

// A summary is about 2–4 KB; reserving once avoids repeated growth of a fresh buffer.
constexpr std::size_t kTypicalSummaryBytes = 4096;

struct Brand {
  std::string_view display_name, long_display_name, use_case;
};
constexpr std::array kBrands{Brand{"Owl Bank", "Owl Bank Ltd", "Customer Care"},
                             Brand{"Acme Café", "Acme Café & Bäckerei GmbH", "Delivery"},
                             Brand{"Zephyr Health", "Zephyr Health Services", "Appointments"}};

SeededRandom stream(std::uint64_t shape_seed, std::uint64_t stream_id) {
  return SeededRandom(derive_seed({shape_seed, stream_id}));
}

bool is_connected(const SimCall& call) {
  return call.call_state == "completed" || call.call_state == "answered";
}

void append_tags(JsonAppender& json, const SimCall& call, bool complete, SeededRandom& random) {
  json.key("tags");
  // Partial summaries show no tags yet: REST examples use null, Event Streams [].
  if (!complete) {
    if (random.chance(0.5)) {
      json.null();
    } else {
      json.begin_array();
      json.end_array();
    }
    return;
  }
  if (call.complete_tags.empty()) {
    json.null();  // Twilio sends null, not [], when a complete call has no tags
    return;
  }
  json.begin_array();
  for (const auto& tag : call.complete_tags)
    json.string(tag);
  json.end_array();
}

void append_attributes(JsonAppender& json, bool complete, SeededRandom& random) {
  json.key("attributes");
  if (!complete || random.chance(0.1)) {
    json.null();
    return;
  }
  json.begin_object();
  json.boolean_member("conference_participant", random.chance(0.15));
  json.end_object();
}

std::string_view disconnected_by(const SimCall& call, bool complete, SeededRandom& random) {
  if (!complete)
    return "unknown_disconnected_by";  // as in the Event Streams partial example
  if (is_connected(call))
    return random.chance(0.5) ? "caller" : "callee";
  if (call.call_state == "canceled")
    return "caller";
  if (call.call_state == "undialed" || call.call_state == "ringing") {
    return "unknown_disconnected_by";
  }
  return "callee";
}

int q850_cause(const SimCall& call) {
  if (is_connected(call) || call.call_state == "canceled")
    return 16;  // normal clearing
  if (call.call_state == "busy")
    return 17;
  if (call.call_state == "noanswer")
    return 19;
  if (call.call_state == "fail")
    return 127;
  return 0;
}

void append_properties(JsonAppender& json, const SimCall& call, bool complete,
                       SeededRandom& random) {
  json.key("properties");
  json.begin_object();
  json.integer_member("last_sip_response_num", call.last_sip_response);
  int pdd_ms = 0;
  if (call.call_state != "undialed") {
    const bool high_pdd = std::find(call.complete_tags.begin(), call.complete_tags.end(),
                                    "high_pdd") != call.complete_tags.end();
    pdd_ms = static_cast<int>(high_pdd ? random.between(5000, 15000) : random.between(100, 3000));
  }
  json.integer_member("pdd_ms", pdd_ms);
  json.string_member("disconnected_by", disconnected_by(call, complete, random));
  json.string_member("direction", call.direction);
  // Programmable Voice reports how long a call waited between creation and start.
  if (call.call_type != "trunking" && (call.created_time < call.start_time || random.chance(0.3))) {
    const auto queued = (call.start_time - call.created_time).count();
    json.integer_member("queue_time", queued * 1000 + random.between(0, 999));
  }
  if (random.chance(0.3))
    json.integer_member("q850_cause", q850_cause(call));
  json.end_object();
}

void append_branded(JsonAppender& json, SeededRandom& random) {
  const Brand& brand = random.pick(std::span<const Brand>(kBrands));
  const ShortText bundle_sid = ShortText().append("BU").append_hex(random, 32);
  json.key("branded");
  json.begin_object();
  json.boolean_member("enabled", true);
  json.string_member("display_name", brand.display_name);
  json.string_member("long_display_name", brand.long_display_name);
  json.string_member("bundle_sid", bundle_sid.view());
  json.boolean_member("logo", random.chance(0.6));
  json.string_member("type", random.chance(0.7) ? "in_band" : "out_of_band");
  json.string_member("use_case", brand.use_case);
  json.string_member("call_reason", "Branded CTIA");
  json.end_object();
  if (random.chance(0.7)) {
    json.key("business_profile");
    json.begin_object();
    json.string_member("bundle_sid", bundle_sid.view());
    json.string_member("identity", "direct_customer");
    json.string_member("industry", "BANKING");
    json.string_member("type", "corporate");
    json.end_object();
    json.key("voice_integrity");
    json.begin_object();
    json.boolean_member("enabled", true);
    json.string_member("bundle_sid", bundle_sid.view());
    json.string_member("use_case", "customer_support");
    json.end_object();
  }
}

// trust.verified_caller.verified and trust.branded.enabled mirror the SimCall; a null trust
// means neither.
void append_trust(JsonAppender& json, const SimCall& call, SeededRandom& random) {
  json.key("trust");
  if (!call.verified_caller && !call.branded_enabled && !random.chance(0.25)) {
    json.null();
    return;
  }
  json.begin_object();
  json.key("verified_caller");
  json.begin_object();
  json.boolean_member("verified", call.verified_caller);
  json.end_object();
  if (call.branded_enabled) {
    append_branded(json, random);
  } else if (random.chance(0.3)) {
    json.key("branded");
    json.begin_object();
    json.boolean_member("enabled", false);
    json.end_object();
  }
  json.end_object();
}

void append_min_max_avg_ms(JsonAppender& json, std::string_view name, SeededRandom& random) {
  const auto avg = random.between(50, 900);
  json.key(name);
  json.begin_object();
  json.fixed_member("min", avg * 10 - random.between(0, 400), 1);
  json.fixed_member("max", avg * 10 + random.between(0, 4000), 1);
  json.fixed_member("avg", avg * 10, 1);
  json.end_object();
}

// Keys this client may not know: the newest SDKs' AI-agent block, or a made-up future one.
void append_extra_key(JsonAppender& json, ExtraKey extra, SeededRandom& random) {
  if (extra == ExtraKey::agent_session_summaries) {
    json.key("agent_session_summaries");
    json.begin_array();
    json.begin_object();
    json.string_member("session_id", ShortText().append("CR").append_hex(random, 32).view());
    for (const auto name : {"tts_latency_ms"sv, "stt_latency_ms"sv, "network_latency_ms"sv,
                            "time_to_first_audio_ms"sv, "application_latency_ms"sv}) {
      append_min_max_avg_ms(json, name, random);
    }
    json.key("tokens");
    json.begin_object();
    json.integer_member("total", random.between(200, 5000));
    append_min_max_avg_ms(json, "tokens_per_second", random);
    json.end_object();
    json.key("words");
    json.begin_object();
    json.integer_member("total", random.between(50, 1500));
    append_min_max_avg_ms(json, "words_per_minute", random);
    json.end_object();
    json.integer_member("turns", random.between(1, 40));
    json.key("interruptions");
    json.begin_object();
    json.integer_member("customer_to_agent", random.between(0, 5));
    json.integer_member("agent_to_customer", random.between(0, 2));
    json.end_object();
    json.string_member("session_state", random.chance(0.8) ? "ended" : "hung_up");
    json.end_object();
    json.end_array();
  } else if (extra == ExtraKey::future_field) {
    json.key("future_field");
    json.begin_object();
    json.integer_member("schema_version", 3);
    json.string_member("label", "näher dran — 近い");
    json.boolean_member("enabled", random.chance(0.5));
    json.key("weights");
    json.begin_array();
    json.fixed(random.between(0, 1000), 3);
    json.fixed(random.between(0, 1000), 3);
    json.end_array();
    json.end_object();
  }
}

}  // namespace

// A hidden snapshot breaks the contract; it is rendered as partial rather than checked, to
// keep the hot path free of branches that never fire.
void append_summary_json(std::string& out, const SimCall& call, const CallSnapshot& snapshot,
                         const std::string& url) {
  out.reserve(out.size() + kTypicalSummaryBytes);
  const PayloadShape shape = payload_shape(call.shape_seed);
  const bool complete = snapshot.visibility == Visibility::complete;
  SeededRandom details = stream(call.shape_seed, kDetailsStream);
  JsonAppender json(out);

  json.begin_object();
  json.string_member("call_sid", call.call_sid);
  json.string_member("account_sid", call.account_sid);
  if (shape.has_created_time_key())
    json.time_member("created_time", call.created_time);
  json.time_member("start_time", call.start_time);
  json.time_member("end_time", call.end_time);
  // Durations are only final once the summary is complete (Event Streams partial example).
  json.integer_member("duration", complete ? call.duration : 0);
  json.integer_member("connect_duration", complete ? call.connect_duration : 0);
  json.string_member("call_type", call.call_type);
  json.string_member("call_state", call.call_state);
  if (shape.has_answered_by_key()) {
    json.key("answered_by");
    if (call.answered_by) {
      json.string(*call.answered_by);
    } else {
      json.null();
    }
  }

  SeededRandom parties = stream(call.shape_seed, kPartiesStream);
  json.key("from");
  append_party_json(json, PartyRole::from, call.from_caller, call.from_carrier,
                    call.from_country_code, parties);
  json.key("to");
  append_party_json(json, PartyRole::to, call.to_callee, call.to_carrier, call.to_country_code,
                    parties);

  json.string_member("processing_state", complete ? "complete" : "partial");
  append_edges_json(json, call, snapshot.visibility, derive_seed({call.shape_seed, kEdgesStream}));
  append_tags(json, call, complete, details);
  append_attributes(json, complete, details);
  append_properties(json, call, complete, details);
  if (shape.has_trust_key()) {
    SeededRandom trust = stream(call.shape_seed, kTrustStream);
    append_trust(json, call, trust);
  }
  if (shape.has_annotation_key()) {
    json.key("annotation");
    append_annotation_json(json, call.shape_seed, snapshot);
  }
  if (shape.extra != ExtraKey::none) {
    SeededRandom extra = stream(call.shape_seed, kExtraStream);
    append_extra_key(json, shape.extra, extra);
  }
  json.string_member("url", url);
  json.end_object();
}

}  // namespace insights::sim
