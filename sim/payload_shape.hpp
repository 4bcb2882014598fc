#pragma once
// Which variant of the summary payload a call is rendered as, decided by its shape_seed alone.
// The generator and the renderer both consult it: a call whose payload has no `answered_by`
// or `trust` key must not carry an AMD result or a verified caller in its SimCall, or the
// sim's filters would disagree with what it serves.
//
// Distribution (independent draws):
//   keys:  ~94.5% current schema, ~3% as the 2020 payloads (no created_time, answered_by,
//          trust, annotation keys), ~2.5% as the 2023 SDK fixtures (no annotation key);
//   extra: ~1% `agent_session_summaries` array, ~1% made-up `future_field` object.
// Pure functions; thread-safe.

#include <cstdint>

namespace insights::sim {

enum class PayloadKeys {
  current,             // every key of today's schema
  before_2022,         // no created_time, answered_by, trust, annotation keys at all
  before_annotations,  // no annotation key
};

enum class ExtraKey {
  none,
  agent_session_summaries,  // newest SDKs' ConversationRelay block
  future_field,             // a key no SDK knows yet
};

struct PayloadShape {
  PayloadKeys keys = PayloadKeys::current;
  ExtraKey extra = ExtraKey::none;

  bool has_answered_by_key() const { return keys != PayloadKeys::before_2022; }
  bool has_trust_key() const { return keys != PayloadKeys::before_2022; }
  bool has_created_time_key() const { return keys != PayloadKeys::before_2022; }
  bool has_annotation_key() const { return keys == PayloadKeys::current; }
};

PayloadShape payload_shape(std::uint64_t shape_seed);

}  // namespace insights::sim
