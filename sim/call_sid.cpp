#include "sim/call_sid.hpp"

#include "sim/seeded_random.hpp"

namespace insights::sim {
namespace {

constexpr std::uint64_t kCallSidHashStream = 0xca11;
constexpr std::uint64_t kSubaccountStream = 0x5ab;
constexpr char kHexDigits[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint64_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += kHexDigits[(value >> shift) & 0xf];
  }
}

std::optional<std::uint64_t> parse_hex(std::string_view digits) {
  std::uint64_t value = 0;
  for (char c : digits) {
    int nibble = 0;
    if (c >= '0' && c <= '9') {
      nibble = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      nibble = c - 'a' + 10;
    } else {
      return std::nullopt;  // upper case too: the sim only ever issues lower-case SIDs
    }
    value = (value << 4) | static_cast<std::uint64_t>(nibble);
  }
  return value;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::string make_call_sid(std::uint64_t seed, const CallSidParts& parts) {
  std::string sid;
  sid.reserve(34);
  sid += "CA";
  append_hex(sid, static_cast<std::uint64_t>(parts.hour), 8);
  append_hex(sid, static_cast<std::uint64_t>(parts.parent_index), 4);
  append_hex(sid, static_cast<std::uint64_t>(parts.call_index), 4);
  append_hex(sid,
             derive_seed({seed, static_cast<std::uint64_t>(parts.hour),
                          static_cast<std::uint64_t>(parts.parent_index),
                          static_cast<std::uint64_t>(parts.call_index), kCallSidHashStream}),
             16);
  return sid;
}

std::optional<CallSidParts> parse_call_sid(std::string_view call_sid) {
  if (call_sid.size() != 34 || !call_sid.starts_with("CA"))
    return std::nullopt;
  if (!parse_hex(call_sid.substr(18)))
    return std::nullopt;
  const auto hour = parse_hex(call_sid.substr(2, 8));
  const auto parent = parse_hex(call_sid.substr(10, 4));
  const auto index = parse_hex(call_sid.substr(14, 4));
  if (!hour || !parent || !index)
    return std::nullopt;
  return CallSidParts{static_cast<std::int64_t>(*hour), static_cast<int>(*parent),
                      static_cast<int>(*index)};
}

std::vector<std::string> subaccount_sids(std::string_view parent_sid, int count) {
  std::vector<std::string> sids;
  sids.reserve(static_cast<std::size_t>(count > 0 ? count : 0));
  const std::uint64_t parent_hash = fnv1a(parent_sid);
  for (int k = 0; k < count; ++k) {
    std::string sid = "AC";
    append_hex(sid, derive_seed({parent_hash, kSubaccountStream, static_cast<std::uint64_t>(k), 1}),
               16);
    append_hex(sid, derive_seed({parent_hash, kSubaccountStream, static_cast<std::uint64_t>(k), 2}),
               16);
    sids.push_back(std::move(sid));
  }
  return sids;
}

}  // namespace insights::sim
