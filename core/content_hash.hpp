#pragma once
// The content hash of a stored row: how the sink tells "Twilio sent the same summary again"
// (skip the write, no dead tuple) from "the summary changed" (replace it).
//
// The digest covers every stored field of CallSummaryRow except content_hash itself, in a
// framing where each field is a presence byte followed, when present, by its length and bytes.
// So an absent field differs from an empty one and no two rows can collide by moving bytes
// across a field boundary. Changing the framing or the field list changes every hash, which
// makes the sink rewrite every row once; tests pin the framing with a known answer.
//
// Thread-safe. Throws SyncError(ErrorKind::stop_process) only if OpenSSL cannot provide SHA-256.

#include <string>

#include "core/call_summary_row.hpp"

namespace insights {

// 32 lowercase hex characters: the first 16 bytes of SHA-256 over the framed fields.
std::string content_hash_hex(const CallSummaryRow& row);

}  // namespace insights
