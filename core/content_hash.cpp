#include "core/content_hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace insights {
namespace {

// Bumped when the framing or the field list changes, so old and new hashes never coincide.
constexpr char kFramingVersion = 1;
constexpr std::size_t kDigestPrefixBytes = 16;
// An unusually large row should not pin its buffer to the thread for good.
constexpr std::size_t kMaxRetainedScratchBytes = 1 << 20;

// Tripwire: a field added to CallSummaryRow must also be added to frame_row below, or rows
// differing only in that field would look identical to the sink.
static_assert(sizeof(CallSummaryRow) ==
                  2 * sizeof(std::string) + 24 * sizeof(std::optional<std::string>),
              "CallSummaryRow changed: update frame_row() and the known-answer test");

void append_length(std::string& out, std::size_t length) {
  // Fixed 8 bytes, little-endian, so the framing does not depend on the host.
  auto value = static_cast<std::uint64_t>(length);
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(value & 0xffu));
    value >>= 8;
  }
}

void append_field(std::string& out, std::string_view value) {
  out.push_back('\x01');
  append_length(out, value.size());
  out.append(value);
}

void append_field(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    append_field(out, std::string_view(*value));
  } else {
    out.push_back('\x00');
  }
}

// The order is part of the hash: append new fields at the end and bump kFramingVersion.
void frame_row(const CallSummaryRow& row, std::string& out) {
  out.push_back(kFramingVersion);
  append_field(out, std::string_view(row.call_sid));
  for (const auto* field : {
           &row.account_sid,
           &row.call_type,
           &row.call_state,
           &row.direction,
           &row.answered_by,
           &row.processing_state,
           &row.created_time,
           &row.start_time,
           &row.end_time,
           &row.duration,
           &row.connect_duration,
           &row.tags,
           &row.from_party,
           &row.to_party,
           &row.carrier_edge,
           &row.client_edge,
           &row.sdk_edge,
           &row.sip_edge,
           &row.properties,
           &row.attributes,
           &row.trust,
           &row.annotation,
           &row.agent_session_summaries,
           &row.extra,
       }) {
    append_field(out, *field);
  }
}

[[noreturn]] void throw_openssl_failure(std::string_view step) {
  throw SyncError(ErrorKind::stop_process, "OpenSSL SHA-256 failed in " + std::string(step));
}

// Fetched once: in OpenSSL 3 an explicit fetch avoids the provider lookup (and its lock)
// that EVP_sha256() costs on every digest. Never freed: it lives as long as the process.
const EVP_MD* sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  if (md == nullptr) {
    throw_openssl_failure("EVP_MD_fetch");
  }
  return md;
}

struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

std::string content_hash_hex(const CallSummaryRow& row) {
  // Per-thread scratch space: hashing runs once per row on the hot path, so the framing buffer
  // and the digest context are reused instead of allocated each time.
  thread_local std::string framed;
  thread_local std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> context(EVP_MD_CTX_new());
  if (!context) {
    throw_openssl_failure("EVP_MD_CTX_new");
  }

  framed.clear();
  frame_row(row, framed);

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  if (EVP_DigestInit_ex2(context.get(), sha256(), nullptr) != 1) {
    throw_openssl_failure("EVP_DigestInit_ex2");
  }
  if (EVP_DigestUpdate(context.get(), framed.data(), framed.size()) != 1) {
    throw_openssl_failure("EVP_DigestUpdate");
  }
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &digest_length) != 1 ||
      digest_length < kDigestPrefixBytes) {
    throw_openssl_failure("EVP_DigestFinal_ex");
  }
  if (framed.capacity() > kMaxRetainedScratchBytes) {
    framed = std::string();
  }

  static constexpr std::string_view kHexDigits = "0123456789abcdef";
  std::string hex(2 * kDigestPrefixBytes, '0');
  for (std::size_t i = 0; i < kDigestPrefixBytes; ++i) {
    hex[2 * i] = kHexDigits[digest[i] >> 4];
    hex[2 * i + 1] = kHexDigits[digest[i] & 0x0fu];
  }
  return hex;
}

}  // namespace insights
