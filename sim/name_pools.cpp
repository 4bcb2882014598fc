#include "sim/name_pools.hpp"

#include <array>

namespace insights::sim {
namespace {

using std::string_view_literals::operator""sv;

// ---- United States ----
constexpr std::array kUsLeading{"212"sv, "415"sv, "206"sv, "312"sv, "512"sv, "305"sv, "907"sv};
constexpr std::array kUsCarriers{
    CarrierInfo{"T-Mobile USA, Inc.", "mobile"},
    CarrierInfo{"AT&T Wireless", "mobile"},
    CarrierInfo{"Verizon Wireless", "mobile"},
    CarrierInfo{"Comcast IP Phone, LLC", "voip"},
    CarrierInfo{"Hawaiian Telcom, Inc. - HI", "landline"},
    CarrierInfo{"XO Communications, Inc.", "landline"},
};
constexpr std::array kUsCities{
    CityInfo{"New York", 40712776, -74005974},   CityInfo{"San Francisco", 37774929, -122419416},
    CityInfo{"Seattle", 47606209, -122332071},   CityInfo{"Chicago", 41878114, -87629798},
    CityInfo{"Austin", 30267153, -97743061},     CityInfo{"Miami", 25761680, -80191790},
    CityInfo{"Anchorage", 61218056, -149900278},
};

// ---- United Kingdom ----
constexpr std::array kGbLeading{"207"sv, "161"sv, "131"sv, "747"sv, "791"sv};
constexpr std::array kGbCarriers{
    CarrierInfo{"Vodafone UK", "mobile"},
    CarrierInfo{"EE Limited", "mobile"},
    CarrierInfo{"BT Group plc", "landline"},
};
constexpr std::array kGbCities{
    CityInfo{"London", 51507351, -127758},
    CityInfo{"Manchester", 53480759, -2242631},
    CityInfo{"Edinburgh", 55953252, -3188267},
};

// ---- Germany ----
constexpr std::array kDeLeading{"221"sv, "892"sv, "302"sv, "151"sv, "170"sv};
constexpr std::array kDeCarriers{
    CarrierInfo{"Deutsche Telekom AG — Köln", "landline"},
    CarrierInfo{"Telefónica Germany GmbH & Co. OHG", "mobile"},
    CarrierInfo{"Vodafone GmbH", "mobile"},
};
constexpr std::array kDeCities{
    CityInfo{"Köln", 50937531, 6960279},
    CityInfo{"München", 48135125, 11581981},
    CityInfo{"Berlin", 52520008, 13404954},
};

// ---- Brazil ----
constexpr std::array kBrLeading{"119"sv, "219"sv, "919"sv, "113"sv};
constexpr std::array kBrCarriers{
    CarrierInfo{"Telefônica Brasil", "mobile"},
    CarrierInfo{"Claro S.A.", "mobile"},
    CarrierInfo{"Oi Móvel", "mobile"},
    CarrierInfo{"Embratel", "landline"},
};
constexpr std::array kBrCities{
    CityInfo{"São Paulo", -23550520, -46633308},
    CityInfo{"Rio de Janeiro", -22906847, -43172896},
    CityInfo{"Belém", -1455833, -48503887},
};

// ---- Japan ----
constexpr std::array kJpLeading{"312"sv, "665"sv, "117"sv, "903"sv, "804"sv};
constexpr std::array kJpCarriers{
    CarrierInfo{"NTT Docomo", "mobile"},
    CarrierInfo{"KDDI株式会社", "mobile"},
    CarrierInfo{"ソフトバンク株式会社", "mobile"},
    CarrierInfo{"NTT東日本", "landline"},
};
constexpr std::array kJpCities{
    CityInfo{"東京", 35689487, 139691706},
    CityInfo{"大阪", 34693738, 135502165},
    CityInfo{"札幌", 43061771, 141354451},
};

// ---- Spain ----
constexpr std::array kEsLeading{"910"sv, "932"sv, "952"sv, "600"sv, "655"sv};
constexpr std::array kEsCarriers{
    CarrierInfo{"Orange España", "mobile"},
    CarrierInfo{"Telefónica de España", "landline"},
    CarrierInfo{"Vodafone España", "mobile"},
};
constexpr std::array kEsCities{
    CityInfo{"Madrid", 40416775, -3703790},
    CityInfo{"Barcelona", 41385064, 2173403},
    CityInfo{"Málaga", 36721274, -4421399},
};

// ---- Mexico ----
constexpr std::array kMxLeading{"155"sv, "331"sv, "999"sv};
constexpr std::array kMxCarriers{
    CarrierInfo{"Telcel", "mobile"},
    CarrierInfo{"AT&T Comunicaciones Digitales", "mobile"},
    CarrierInfo{"Teléfonos de México (Telmex)", "landline"},
};
constexpr std::array kMxCities{
    CityInfo{"Ciudad de México", 19432608, -99133209},
    CityInfo{"Guadalajara", 20659699, -103349609},
    CityInfo{"Mérida", 20967370, -89592586},
};

// ---- France ----
constexpr std::array kFrLeading{"142"sv, "472"sv, "238"sv, "612"sv, "706"sv};
constexpr std::array kFrCarriers{
    CarrierInfo{"Orange France", "mobile"},
    CarrierInfo{"SFR", "mobile"},
    CarrierInfo{"Bouygues Télécom", "mobile"},
};
constexpr std::array kFrCities{
    CityInfo{"Paris", 48856614, 2352222},
    CityInfo{"Lyon", 45764043, 4835659},
    CityInfo{"Orléans", 47902964, 1909251},
};

// ---- India ----
constexpr std::array kInLeading{"223"sv, "803"sv, "981"sv, "990"sv};
constexpr std::array kInCarriers{
    CarrierInfo{"Bharti Airtel Ltd", "mobile"},
    CarrierInfo{"Reliance Jio Infocomm", "mobile"},
};
constexpr std::array kInCities{
    CityInfo{"Mumbai", 19075984, 72877656},
    CityInfo{"Bengaluru", 12971599, 77594566},
};

// ---- Australia ----
constexpr std::array kAuLeading{"290"sv, "396"sv, "412"sv};
constexpr std::array kAuCarriers{
    CarrierInfo{"Telstra Corporation", "mobile"},
    CarrierInfo{"Optus Mobile", "mobile"},
};
constexpr std::array kAuCities{
    CityInfo{"Sydney", -33868820, 151209296},
    CityInfo{"Melbourne", -37813628, 144963058},
};

// US first: it is the default country of business numbers.
constexpr std::array kCountries{
    CountryInfo{"US", "1", 10, kUsLeading, kUsCarriers, kUsCities, 55},
    CountryInfo{"GB", "44", 10, kGbLeading, kGbCarriers, kGbCities, 8},
    CountryInfo{"DE", "49", 11, kDeLeading, kDeCarriers, kDeCities, 7},
    CountryInfo{"BR", "55", 11, kBrLeading, kBrCarriers, kBrCities, 7},
    CountryInfo{"JP", "81", 10, kJpLeading, kJpCarriers, kJpCities, 5},
    CountryInfo{"ES", "34", 9, kEsLeading, kEsCarriers, kEsCities, 5},
    CountryInfo{"MX", "52", 10, kMxLeading, kMxCarriers, kMxCities, 4},
    CountryInfo{"FR", "33", 9, kFrLeading, kFrCarriers, kFrCities, 4},
    CountryInfo{"IN", "91", 10, kInLeading, kInCarriers, kInCities, 3},
    CountryInfo{"AU", "61", 9, kAuLeading, kAuCarriers, kAuCities, 2},
};

constexpr std::array kClientIdentities{"alice"sv,        "bob"sv,  "agent_042"sv, "agent_117"sv,
                                       "support-desk"sv, "josé"sv, "kiosk-7"sv,   "mobile_app"sv};
constexpr std::array kSipUsers{"alice"sv, "reception"sv, "+14155550100"sv, "ivr"sv, "müller"sv};
constexpr std::array kSipHosts{"acme.sip.twilio.com"sv, "pbx.example.com:5060"sv, "10.20.30.40"sv,
                               "sip.contoso.de;transport=tls"sv};
constexpr std::array kMediaRegions{"us1"sv, "us1"sv, "us1"sv, "us2"sv, "ie1"sv,
                                   "de1"sv, "br1"sv, "jp1"sv, "au1"sv, "sg1"sv};
constexpr std::array kEdgeLocations{"ashburn"sv,   "umatilla"sv,  "dublin"sv,
                                    "frankfurt"sv, "sao-paulo"sv, "tokyo"sv,
                                    "sydney"sv,    "singapore"sv, "roaming"sv};
constexpr std::array kSipUserAgents{"Asterisk PBX 18.12.0"sv,
                                    "FreeSWITCH-mod_sofia/1.10.9-release"sv,
                                    "Cisco-SIPGateway/IOS-16.12"sv, "Yealink SIP-T54W 96.86.0.70"sv,
                                    "Acme \"Edge\" SBC/4.2 (build\\7)"sv};
constexpr std::array kAnnotationComments{
    "Customer reported choppy audio"sv, "Callback requested"sv,
    "Llamada de prueba — ignorar"sv,    "Kunde hörte ein Echo"sv,
    "escalated: ticket #4711"sv,        "Agent said \"can you hear me?\" twice"sv};

}  // namespace

std::span<const CountryInfo> countries() {
  return kCountries;
}

const CountryInfo* find_country(std::string_view iso) {
  for (const auto& country : kCountries) {
    if (country.iso == iso)
      return &country;
  }
  return nullptr;
}

std::string_view carrier_connection(const CountryInfo& country, std::string_view carrier) {
  for (const auto& known : country.carriers) {
    if (known.name == carrier)
      return known.connection;
  }
  return "voip";
}

std::span<const std::string_view> client_identities() {
  return kClientIdentities;
}
std::span<const std::string_view> sip_users() {
  return kSipUsers;
}
std::span<const std::string_view> sip_hosts() {
  return kSipHosts;
}
std::span<const std::string_view> media_regions() {
  return kMediaRegions;
}
std::span<const std::string_view> edge_locations() {
  return kEdgeLocations;
}
std::span<const std::string_view> sip_user_agents() {
  return kSipUserAgents;
}
std::span<const std::string_view> annotation_comments() {
  return kAnnotationComments;
}

}  // namespace insights::sim
