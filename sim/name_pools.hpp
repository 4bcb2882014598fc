#pragma once
// The fixed vocabularies simulated calls draw from: countries with their carriers, number
// prefixes and cities, client identities, SIP hosts, regions. Several names are non-ASCII on
// purpose ("Telefônica Brasil", "東京") so every consumer of the sim handles UTF-8, and one
// user agent carries quotes so JSON escaping is exercised.
//
// All tables are constant data; thread-safe.

#include <span>
#include <string_view>

namespace insights::sim {

struct CarrierInfo {
  std::string_view name;
  std::string_view connection;  // mobile | landline | voip
};

struct CityInfo {
  std::string_view name;
  int lat_micro;  // degrees × 10^6
  int lon_micro;
};

struct CountryInfo {
  std::string_view iso;           // ISO 3166 alpha-2, as in `country_code`
  std::string_view calling_code;  // without '+'
  int national_digits;            // digits after the calling code
  // First three national digits; the first cities.size() of them are those cities' area
  // codes (in the same order), the rest mobile ranges without a fixed place.
  std::span<const std::string_view> leading_digits;
  std::span<const CarrierInfo> carriers;
  std::span<const CityInfo> cities;
  int weight;  // how often callers come from this country
};

std::span<const CountryInfo> countries();

// The country with this ISO code, or nullptr.
const CountryInfo* find_country(std::string_view iso);

// The carrier's connection type, or "voip" when the name is not one of the country's.
std::string_view carrier_connection(const CountryInfo& country, std::string_view carrier);

std::span<const std::string_view> client_identities();  // "alice" → "client:alice"
std::span<const std::string_view> sip_users();
std::span<const std::string_view> sip_hosts();
std::span<const std::string_view> media_regions();   // "us1", "ie1", ...
std::span<const std::string_view> edge_locations();  // "ashburn", "dublin", ...
std::span<const std::string_view> sip_user_agents();
std::span<const std::string_view> annotation_comments();

}  // namespace insights::sim
