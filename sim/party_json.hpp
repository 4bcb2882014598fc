#pragma once
// Renders a call's `from` or `to` object. The address, carrier and country come from the
// SimCall (the API filters on them); connection, number_prefix, location, city, ip_address
// and the SDK block are drawn from `random` and follow from the address kind:
//   E.164       caller/callee, carrier, connection (the carrier's), number_prefix
//               (calling code + 3 digits), location {lat, lon} (sometimes null), sometimes
//               city, country_code
//   whatsapp:   as E.164 without carrier, connection "voip"
//   client:     connection "twilio_sdk"; city, ip_address, location when geolocated; often
//               an `sdk` object (browser or mobile)
//   sip:        the minimal {"callee": "sip:…", "connection": "sip_interface"} of the fixtures
// Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "sim/json_appender.hpp"
#include "sim/seeded_random.hpp"

namespace insights::sim {

enum class PartyRole { from, to };  // the address key is "caller" on `from`, "callee" on `to`

void append_party_json(JsonAppender& json, PartyRole role, std::string_view address,
                       const std::optional<std::string>& carrier,
                       const std::optional<std::string>& country_code, SeededRandom& random);

}  // namespace insights::sim
