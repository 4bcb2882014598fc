#pragma once
// Optional retention of the warehouse (`[retention]` in the config file): `insights-sync run`
// deletes summaries whose call started more than `delete_after_days` ago
// (sink/summary_retention.hpp deletes, daemon/retention_schedule.hpp decides when). Off by
// default: a warehouse usually exists to keep history beyond Twilio's own 30 days.

#include <chrono>
#include <optional>
#include <string>

#include "core/twilio_vocabulary.hpp"

namespace insights {

struct RetentionOptions {
  // Summaries of calls that started more than this many days ago are deleted; 0 keeps
  // everything. 0..36500.
  int delete_after_days = 0;

  bool enabled() const { return delete_after_days > 0; }
  bool operator==(const RetentionOptions&) const = default;
};

// Why a valid setting still works against the sync, or nullopt. Rows younger than Twilio's
// retention are still served, so whatever reads their window again (its annotation pass, a
// backfill) loads them again, and the next run deletes them again.
inline std::optional<std::string> retention_warning(const RetentionOptions& options) {
  const auto twilio_days = std::chrono::days(kTwilioRetention).count();
  if (!options.enabled() || options.delete_after_days >= twilio_days)
    return std::nullopt;
  return "retention.delete_after_days = " + std::to_string(options.delete_after_days) +
         " deletes summaries Twilio still serves (it keeps " + std::to_string(twilio_days) +
         " days): a window read again (its annotation pass, a backfill) loads them again, and "
         "the next retention run deletes them again";
}

}  // namespace insights
