#include "sim/edge_json.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "sim/name_pools.hpp"
#include "sim/short_text.hpp"

namespace insights::sim {
namespace {

using std::string_view_literals::operator""sv;

constexpr int kPacketsPerSecond = 50;  // 20 ms packetisation
constexpr std::array kTwilioIpPrefixes{"54.172.60."sv, "54.244.51."sv, "34.203.250."sv};
constexpr std::array kExternalIpPrefixes{"203.0.113."sv, "198.51.100."sv, "192.0.2."sv};

// What the edges of one call share, worked out once.
struct EdgeFacts {
  bool inbound_call = false;  // the far party called in
  int media_seconds = 0;
  int codec = 0;
  std::string_view codec_name = "pcmu";
  bool high_packet_loss = false, high_jitter = false, high_latency = false, low_mos = false;
  bool ice_failure = false;
};

bool has_tag(const SimCall& call, std::string_view tag) {
  return std::find(call.complete_tags.begin(), call.complete_tags.end(), tag) !=
         call.complete_tags.end();
}

EdgeFacts edge_facts(const SimCall& call, SeededRandom& random) {
  EdgeFacts facts;
  facts.inbound_call = call.direction == "inbound" || call.direction == "trunking_terminating";
  facts.media_seconds = call.connect_duration;
  const bool opus =
      call.call_type == "whatsapp" || (call.call_type == "client" && random.chance(0.7));
  if (opus) {
    facts.codec = 111;
    facts.codec_name = "opus";
  } else if (random.chance(0.2)) {
    facts.codec = 8;
    facts.codec_name = "pcma";
  }
  facts.high_packet_loss = has_tag(call, "high_packet_loss");
  facts.high_jitter = has_tag(call, "high_jitter");
  facts.high_latency = has_tag(call, "high_latency");
  facts.low_mos = has_tag(call, "low_mos");
  facts.ice_failure = has_tag(call, "ice_failure");
  return facts;
}

// {"max": …, "avg": …} in milliseconds, from an average drawn in microseconds.
void append_max_avg(JsonAppender& json, std::string_view name, std::int64_t avg_micros,
                    SeededRandom& random) {
  json.key(name);
  json.begin_object();
  json.fixed_member("max", avg_micros * random.between(150, 600) / 100, 6);
  json.fixed_member("avg", avg_micros, 6);
  json.end_object();
}

void append_min_max_avg(JsonAppender& json, std::string_view name, std::int64_t avg_hundredths,
                        std::int64_t spread_hundredths, SeededRandom& random) {
  json.key(name);
  json.begin_object();
  json.fixed_member("min", avg_hundredths - random.between(0, spread_hundredths), 2);
  json.fixed_member("max", avg_hundredths + random.between(0, spread_hundredths), 2);
  json.fixed_member("avg", avg_hundredths, 2);
  json.end_object();
}

std::int64_t packet_count(const EdgeFacts& facts, SeededRandom& random) {
  return std::int64_t{std::max(facts.media_seconds, 1)} * kPacketsPerSecond *
         random.between(970, 1030) / 1000;
}

std::int64_t lost_packets(const EdgeFacts& facts, std::int64_t packets, SeededRandom& random) {
  if (facts.high_packet_loss)
    return packets * random.between(50000, 200000) / 1000000 + 1;
  if (random.chance(0.7))
    return 0;
  return packets * random.between(0, 8000) / 1000000;
}

void append_loss(JsonAppender& json, std::int64_t packets, std::int64_t lost) {
  json.integer_member("packets_lost", lost);
  // Percentage with six decimals.
  json.fixed_member("packets_loss_percentage",
                    lost * 100000000 / std::max<std::int64_t>(packets, 1), 6);
}

// One direction of a gateway edge's metrics.
void append_stream(JsonAppender& json, std::string_view direction, const EdgeFacts& facts,
                   bool with_latency, SeededRandom& random) {
  json.key(direction);
  json.begin_object();
  json.integer_member("codec", facts.codec);
  json.string_member("codec_name", facts.codec_name);
  const std::int64_t packets = packet_count(facts, random);
  json.integer_member(direction == "inbound" ? "packets_received" : "packets_sent", packets);
  append_loss(json, packets, lost_packets(facts, packets, random));
  append_max_avg(
      json, "jitter",
      facts.high_jitter ? random.between(5000000, 25000000) : random.between(50000, 1500000),
      random);
  if (with_latency) {
    append_max_avg(json, "latency",
                   facts.high_latency ? random.between(150000000, 300000000)
                                      : random.between(200000, 40000000),
                   random);
  }
  if (random.chance(0.2)) {
    json.key("packet_delay_variation");
    json.begin_object();
    const auto d50 = random.between(1, 3);
    json.integer_member("d50", d50);
    json.integer_member("d70", d50 + random.between(0, 3));
    json.integer_member("d90", d50 + random.between(2, 8));
    json.end_object();
  }
  json.end_object();
}

void append_gateway_metrics(JsonAppender& json, const EdgeFacts& facts, SeededRandom& random) {
  const bool with_latency = facts.high_latency || random.chance(0.4);
  const auto which = random.between(0, 99);  // both directions mostly, sometimes only one
  json.key("metrics");
  json.begin_object();
  if (which < 95)
    append_stream(json, "inbound", facts, with_latency, random);
  if (which < 85 || which >= 95)
    append_stream(json, "outbound", facts, with_latency, random);
  json.end_object();
}

enum class Gateway { carrier, client, sip };

void append_gateway_edge(JsonAppender& json, const SimCall& call, const EdgeFacts& facts,
                         Gateway gateway, bool inbound_leg, bool with_metrics,
                         SeededRandom& random) {
  json.begin_object();
  json.key("properties");
  json.begin_object();
  const std::string_view region = random.pick(media_regions());
  json.string_member("media_region", region);
  json.string_member("signaling_region", region);
  if (gateway != Gateway::client) {
    json.string_member("edge_location", random.pick(edge_locations()));
  }
  if (gateway != Gateway::carrier) {
    json.string_member("twilio_media_ip",
                       ShortText().append_ipv4(random, kTwilioIpPrefixes).view());
    json.string_member("external_media_ip",
                       ShortText().append_ipv4(random, kExternalIpPrefixes).view());
  }
  if (gateway == Gateway::sip) {
    json.string_member("twilio_signaling_ip",
                       ShortText().append_ipv4(random, kTwilioIpPrefixes).view());
    json.string_member("external_signaling_ip",
                       ShortText().append_ipv4(random, kExternalIpPrefixes).view());
    json.string_member("sip_call_id", ShortText()
                                          .append_hex(random, 24)
                                          .append("@")
                                          .append_ipv4(random, kExternalIpPrefixes)
                                          .view());
    if (call.call_type != "whatsapp" && random.chance(0.8)) {
      json.string_member("user_agent", random.pick(sip_user_agents()));
    }
    if (call.call_type == "trunking") {
      json.string_member("trunk_sid", ShortText().append("TK").append_hex(random, 32).view());
    }
  }
  json.string_member("direction", inbound_leg ? "inbound" : "outbound");
  json.end_object();
  // A trunking call's carrier edge often reports properties only (as in Twilio's examples).
  const bool properties_only =
      gateway == Gateway::carrier && call.call_type == "trunking" && random.chance(0.5);
  if (with_metrics && !properties_only)
    append_gateway_metrics(json, facts, random);
  json.end_object();
}

void append_sdk_events(JsonAppender& json, const EdgeFacts& facts, SeededRandom& random) {
  json.key("events");
  json.begin_object();
  json.key("levels");
  json.begin_object();
  json.integer_member("INFO", random.between(8, 20));
  json.integer_member("DEBUG", random.between(2, 10));
  if (facts.ice_failure || facts.low_mos)
    json.integer_member("WARNING", random.between(1, 5));
  json.end_object();
  json.key("groups");
  json.begin_object();
  json.integer_member("get_user_media", 1);
  json.integer_member("signaling_state", 3);
  json.integer_member("ice_gathering_state", 2);
  json.integer_member("connection", random.between(3, 5));
  json.integer_member("ice_connection_state", random.between(1, 3));
  json.integer_member("network_information", random.between(2, 12));
  json.end_object();
  if (facts.ice_failure) {
    json.key("errors");
    json.begin_object();
    json.integer_member("31005", 1);
    json.end_object();
  }
  json.end_object();
}

void append_sdk_edge(JsonAppender& json, const SimCall& call, const EdgeFacts& facts,
                     bool with_metrics, SeededRandom& random) {
  json.begin_object();
  json.key("properties");
  json.begin_object();
  // Seen from the SDK: a client dialling out sends an outbound stream first.
  json.string_member("direction", facts.inbound_call ? "outbound" : "inbound");
  json.string_member("disconnected_by", random.chance(0.5) ? "local" : "remote");
  json.key("settings");
  json.begin_object();
  json.boolean_member("dscp", random.chance(0.8));
  json.boolean_member("ice_restart_enabled", random.chance(0.5));
  const std::string_view edge = random.chance(0.6) ? "roaming"sv : random.pick(edge_locations());
  json.string_member("edge", edge);
  json.key("selected_edges");
  json.begin_array();
  json.string(edge);
  json.end_array();
  json.end_object();
  json.end_object();
  if (with_metrics) {
    json.key("metrics");
    json.begin_object();
    json.key("inbound");
    json.begin_object();
    append_min_max_avg(json, "mos",
                       facts.low_mos ? random.between(250, 340) : random.between(420, 445), 10,
                       random);
    const auto rtt =
        facts.high_latency ? random.between(40000, 80000) : random.between(4000, 15000);
    append_min_max_avg(json, "rtt", rtt, rtt / 5, random);
    append_max_avg(
        json, "jitter",
        facts.high_jitter ? random.between(30000000, 90000000) : random.between(100000, 5000000),
        random);
    const std::int64_t packets = packet_count(facts, random);
    json.integer_member("packets_received", packets);
    append_loss(json, packets, lost_packets(facts, packets, random));
    append_max_avg(json, "audio_in", random.between(500000000, 3000000000), random);
    append_max_avg(json, "audio_out", random.between(50000000, 900000000), random);
    json.integer_member("bytes_received", packets * random.between(80, 172));
    json.end_object();
    json.key("outbound");
    json.begin_object();
    json.integer_member("codec", facts.codec);
    json.string_member("codec_name", facts.codec_name);
    json.integer_member("packets_sent", packet_count(facts, random));
    json.end_object();
    json.end_object();
  }
  append_sdk_events(json, facts, random);
  if (!call.complete_tags.empty() && with_metrics) {
    json.key("tags");
    json.begin_array();
    for (const auto& tag : call.complete_tags)
      json.string(tag);
    json.end_array();
  }
  json.end_object();
}

}  // namespace

void append_edges_json(JsonAppender& json, const SimCall& call, Visibility visibility,
                       std::uint64_t edges_seed) {
  enum Stream : std::uint64_t { kPresence = 1, kFacts, kSdk, kSip, kClient, kCarrier };
  const auto random_for = [edges_seed](Stream stream) {
    return SeededRandom(derive_seed({edges_seed, stream}));
  };
  const bool complete = visibility == Visibility::complete;
  const bool connected = call.call_state == "completed" || call.call_state == "answered";
  const bool with_metrics = complete && connected;
  SeededRandom presence = random_for(kPresence);
  // Partial summaries mostly have no edges yet; undialed calls never have any; the SDK does
  // not always report.
  const bool partial_has_edges = presence.chance(0.25);
  const bool sdk_reported = presence.chance(0.9);
  const bool any_edges = call.call_state != "undialed" && (complete || partial_has_edges);
  SeededRandom facts_random = random_for(kFacts);
  const EdgeFacts facts = edge_facts(call, facts_random);
  const std::string_view type = call.call_type;

  json.key("sdk_edge");
  if (any_edges && type == "client" && sdk_reported) {
    SeededRandom random = random_for(kSdk);
    append_sdk_edge(json, call, facts, with_metrics, random);
  } else {
    json.null();
  }
  // On a trunking call the SIP leg faces the customer's PBX: it is inbound when the PBX
  // originates; the carrier leg is the opposite.
  const bool trunk_originating = call.direction == "trunking_originating";
  json.key("sip_edge");
  if (any_edges && (type == "sip" || type == "trunking" || type == "whatsapp")) {
    SeededRandom random = random_for(kSip);
    append_gateway_edge(json, call, facts, Gateway::sip,
                        type == "trunking" ? trunk_originating : facts.inbound_call, with_metrics,
                        random);
  } else {
    json.null();
  }
  json.key("client_edge");
  if (any_edges && type == "client") {
    SeededRandom random = random_for(kClient);
    append_gateway_edge(json, call, facts, Gateway::client, facts.inbound_call, with_metrics,
                        random);
  } else {
    json.null();
  }
  json.key("carrier_edge");
  if (any_edges && (type == "carrier" || type == "trunking")) {
    SeededRandom random = random_for(kCarrier);
    append_gateway_edge(json, call, facts, Gateway::carrier,
                        type == "trunking" ? !trunk_originating : facts.inbound_call, with_metrics,
                        random);
  } else {
    json.null();
  }
}

}  // namespace insights::sim
