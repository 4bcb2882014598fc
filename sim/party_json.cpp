#include "sim/party_json.hpp"

#include <array>

#include "sim/name_pools.hpp"
#include "sim/short_text.hpp"

namespace insights::sim {
namespace {

constexpr int kLocationJitterMicroDegrees = 150000;

void append_location(JsonAppender& json, const CityInfo& city, SeededRandom& random) {
  json.key("location");
  json.begin_object();
  json.fixed_member(
      "lat",
      city.lat_micro + random.between(-kLocationJitterMicroDegrees, kLocationJitterMicroDegrees),
      6);
  json.fixed_member(
      "lon",
      city.lon_micro + random.between(-kLocationJitterMicroDegrees, kLocationJitterMicroDegrees),
      6);
  json.end_object();
}

// Public-looking client addresses in the documentation ranges (RFC 5737).
constexpr std::array<std::string_view, 3> kClientIpPrefixes{"203.0.113.", "198.51.100.",
                                                            "192.0.2."};

void append_sdk(JsonAppender& json, SeededRandom& random) {
  json.key("sdk");
  json.begin_object();
  const std::string_view region = random.pick(media_regions());
  if (random.chance(0.7)) {
    json.string_member("type", "twilio-voice-js");
    json.string_member("version", "2.12.1");
    json.string_member("platform", "browser");
    json.string_member("region", region);
    json.string_member("selected_region", "gll");
    json.string_member("edge_location", random.pick(edge_locations()));
    json.key("browser");
    json.begin_object();
    json.string_member("name", "Chrome");
    json.string_member("major", "126");
    json.string_member("version", "126.0.6478.127");
    json.end_object();
    json.key("os");
    json.begin_object();
    json.string_member("name", "Mac OS");
    json.string_member("version", "14.5");
    json.end_object();
    json.key("engine");
    json.begin_object();
    json.string_member("name", "Blink");
    json.string_member("version", "126.0.6478.127");
    json.end_object();
  } else {
    json.string_member("type", "twilio-voice-ios");
    json.string_member("version", "6.11.2");
    json.string_member("platform", "ios");
    json.string_member("region", region);
    json.key("device");
    json.begin_object();
    json.string_member("arch", "arm64");
    json.string_member("model", "iPhone15,2");
    json.string_member("type", "mobile");
    json.string_member("vendor", "Apple");
    json.end_object();
    json.key("os");
    json.begin_object();
    json.string_member("name", "iOS");
    json.string_member("version", "17.5.1");
    json.end_object();
  }
  json.end_object();
}

std::string_view number_prefix(std::string_view e164, const CountryInfo* country) {
  const std::size_t length = (country != nullptr ? country->calling_code.size() : 1) + 3;
  return e164.substr(1, length);  // the digits after '+'
}

// The city whose area code the number has; a random one for mobile ranges.
const CityInfo& city_of_number(const CountryInfo& country, std::string_view e164,
                               SeededRandom& random) {
  const std::string_view leading = e164.substr(1 + country.calling_code.size(), 3);
  for (std::size_t i = 0; i < country.cities.size() && i < country.leading_digits.size(); ++i) {
    if (country.leading_digits[i] == leading)
      return country.cities[i];
  }
  return random.pick(country.cities);
}

void append_phone_fields(JsonAppender& json, std::string_view e164,
                         const std::optional<std::string>& carrier,
                         const std::optional<std::string>& country_code, bool whatsapp,
                         SeededRandom& random) {
  const CountryInfo* country = country_code ? find_country(*country_code) : nullptr;
  if (carrier)
    json.string_member("carrier", *carrier);
  std::string_view connection = "pstn";
  if (whatsapp) {
    connection = "voip";
  } else if (carrier && country != nullptr) {
    connection = carrier_connection(*country, *carrier);
  }
  json.string_member("connection", connection);
  json.string_member("number_prefix", number_prefix(e164, country));
  if (country != nullptr) {
    const CityInfo& city = city_of_number(*country, e164, random);
    if (random.chance(0.05)) {
      json.null_member("location");
    } else {
      append_location(json, city, random);
    }
    if (random.chance(0.25))
      json.string_member("city", city.name);
  }
  if (country_code)
    json.string_member("country_code", *country_code);
}

void append_client_fields(JsonAppender& json, const std::optional<std::string>& country_code,
                          SeededRandom& random) {
  json.string_member("connection", "twilio_sdk");
  if (const CountryInfo* country = country_code ? find_country(*country_code) : nullptr) {
    const CityInfo& city = random.pick(country->cities);
    json.string_member("city", city.name);
    json.string_member("country_code", *country_code);
    json.string_member("ip_address", ShortText().append_ipv4(random, kClientIpPrefixes).view());
    append_location(json, city, random);
  }
  if (random.chance(0.7))
    append_sdk(json, random);
}

}  // namespace

void append_party_json(JsonAppender& json, PartyRole role, std::string_view address,
                       const std::optional<std::string>& carrier,
                       const std::optional<std::string>& country_code, SeededRandom& random) {
  json.begin_object();
  json.string_member(role == PartyRole::from ? "caller" : "callee", address);
  constexpr std::string_view kWhatsapp = "whatsapp:";
  if (address.starts_with('+')) {
    append_phone_fields(json, address, carrier, country_code, false, random);
  } else if (address.starts_with(kWhatsapp)) {
    append_phone_fields(json, address.substr(kWhatsapp.size()), carrier, country_code, true,
                        random);
  } else if (address.starts_with("client:")) {
    append_client_fields(json, country_code, random);
  } else {
    json.string_member("connection", "sip_interface");
  }
  json.end_object();
}

}  // namespace insights::sim
