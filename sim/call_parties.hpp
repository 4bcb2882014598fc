#pragma once
// Who called whom: draws the `from`/`to` facts of a simulated call (the ones the API filters
// on) for its call type and direction.
//
//   carrier   PSTN number ↔ the account's Twilio number ("Twilio" carrier)
//   trunking  the same, through the account's SIP trunk
//   client    "client:<identity>" on the SDK side; country from IP geolocation, no carrier
//   sip       "sip:user@host" on the SIP side; no carrier, no country
//   whatsapp  "whatsapp:+E164" on both sides; country from the number, no carrier
//
// An account owns six business numbers (four US, one GB, one DE) derived from its SID, and
// clients come from a small pool of identities, so From/To filters match many calls.
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "sim/seeded_random.hpp"

namespace insights::sim {

struct Party {
  std::string address;  // E.164, "client:…", "sip:…" or "whatsapp:+…"
  std::optional<std::string> carrier;
  std::optional<std::string> country_code;
};

struct CallParties {
  Party from, to;
};

CallParties draw_parties(SeededRandom& random, std::string_view call_type,
                         std::string_view direction, std::string_view account_sid);

}  // namespace insights::sim
