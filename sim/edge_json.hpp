#pragma once
// Renders the four edge members of a summary (sdk_edge, sip_edge, client_edge, carrier_edge)
// in that order. Which edges a call has follows its call_type (Twilio's "Details: Call Summary"
// page); the others are null:
//   carrier   carrier_edge                   trunking  sip_edge + carrier_edge
//   sip       sip_edge                       client    sdk_edge + client_edge
//   whatsapp  sip_edge — an assumption: Twilio receives WhatsApp calls from Meta over a SIP
//             interconnect, and no public payload shows otherwise
// A connected call's gateway edges carry properties and metrics (codec, packets, loss,
// jitter, sometimes latency and packet_delay_variation; one direction is occasionally
// missing, and a trunking carrier_edge often has properties only); metrics agree with the
// call's tags (high_packet_loss → loss above 5%, high_jitter, high_latency, low_mos).
// Unconnected calls have properties only, undialed calls no edges, and partial summaries
// mostly null edges. Each edge draws from its own stream of `edges_seed`, so an edge's
// properties are the same in the partial and the complete summary. Pure; thread-safe.

#include <cstdint>

#include "sim/json_appender.hpp"
#include "sim/sim_call.hpp"

namespace insights::sim {

void append_edges_json(JsonAppender& json, const SimCall& call, Visibility visibility,
                       std::uint64_t edges_seed);

}  // namespace insights::sim
