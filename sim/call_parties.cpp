#include "sim/call_parties.hpp"

#include <array>
#include <span>

#include "sim/name_pools.hpp"

namespace insights::sim {
namespace {

constexpr std::uint64_t kBusinessNumberStream = 0xb12;
constexpr int kBusinessNumbersPerAccount = 6;

std::string e164_number(SeededRandom& random, const CountryInfo& country) {
  std::string number = "+";
  number += country.calling_code;
  number += random.pick(country.leading_digits);
  for (int digit = 3; digit < country.national_digits; ++digit) {
    number += static_cast<char>('0' + random.between(0, 9));
  }
  return number;
}

const CountryInfo& random_country(SeededRandom& random) {
  const auto all = countries();
  int total = 0;
  for (const auto& country : all)
    total += country.weight;
  auto ticket = random.between(0, total - 1);
  for (const auto& country : all) {
    if (ticket < country.weight)
      return country;
    ticket -= country.weight;
  }
  return all.front();
}

// A PSTN subscriber somewhere in the world; ~3% of numbers have no carrier lookup.
Party external_subscriber(SeededRandom& random) {
  const CountryInfo& country = random_country(random);
  Party party{e164_number(random, country), std::nullopt, std::string(country.iso)};
  if (!random.chance(0.03))
    party.carrier = std::string(random.pick(country.carriers).name);
  return party;
}

// One of the account's own Twilio numbers: the same few numbers recur across its calls.
Party business_number(SeededRandom& random, std::string_view account_sid) {
  const auto which = static_cast<std::uint64_t>(random.between(0, kBusinessNumbersPerAccount - 1));
  std::uint64_t account_hash = 0;
  for (char c : account_sid)
    account_hash = account_hash * 131 + static_cast<unsigned char>(c);
  SeededRandom number_random(derive_seed({account_hash, kBusinessNumberStream, which}));
  const auto all = countries();
  const CountryInfo& country = which < 4 ? all[0] : *find_country(which == 4 ? "GB" : "DE");
  return Party{e164_number(number_random, country), std::string("Twilio"),
               std::string(country.iso)};
}

Party sdk_client(SeededRandom& random) {
  Party party{"client:" + std::string(random.pick(client_identities())), std::nullopt,
              std::nullopt};
  if (random.chance(0.6))
    party.country_code = std::string(random_country(random).iso);
  return party;
}

Party sip_endpoint(SeededRandom& random) {
  std::string address = "sip:";
  address += random.pick(sip_users());
  address += '@';
  address += random.pick(sip_hosts());
  return Party{std::move(address), std::nullopt, std::nullopt};
}

Party whatsapp_user(Party phone) {
  phone.address.insert(0, "whatsapp:");
  phone.carrier.reset();
  return phone;
}

bool is_inbound(std::string_view direction) {
  return direction == "inbound" || direction == "trunking_terminating";
}

}  // namespace

CallParties draw_parties(SeededRandom& random, std::string_view call_type,
                         std::string_view direction, std::string_view account_sid) {
  const bool inbound = is_inbound(direction);
  if (call_type == "client") {
    if (inbound) {  // the SDK user dials out
      Party callee = random.chance(0.8) ? external_subscriber(random) : sdk_client(random);
      return {sdk_client(random), std::move(callee)};
    }
    Party caller = direction == "outbound_api" ? business_number(random, account_sid)
                                               : external_subscriber(random);
    return {std::move(caller), sdk_client(random)};
  }
  if (call_type == "sip") {
    if (inbound) {
      Party callee =
          random.chance(0.6) ? external_subscriber(random) : business_number(random, account_sid);
      return {sip_endpoint(random), std::move(callee)};
    }
    return {external_subscriber(random), sip_endpoint(random)};
  }
  if (call_type == "whatsapp") {
    Party business = whatsapp_user(business_number(random, account_sid));
    Party user = whatsapp_user(external_subscriber(random));
    if (inbound)
      return {std::move(user), std::move(business)};
    return {std::move(business), std::move(user)};
  }
  // carrier and trunking: a PSTN subscriber and one of the account's numbers.
  Party business = business_number(random, account_sid);
  Party subscriber = external_subscriber(random);
  if (inbound)
    return {std::move(subscriber), std::move(business)};
  return {std::move(business), std::move(subscriber)};
}

}  // namespace insights::sim
