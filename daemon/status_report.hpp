#pragma once
// `insights-sync status`: what the warehouse knows about each source's sync, read from
// PostgreSQL only (works while daemons run, from any host with database access).

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/sync_options.hpp"
#include "core/utc_time.hpp"
#include "sink/backfill_requests.hpp"
#include "sink/pqxx_fwd.hpp"

namespace insights {

struct SourceStatus {
  std::string name;
  std::optional<std::string> account_sid;
  // Every live window before this instant has been read at least once.
  std::optional<std::string> watermark;
  long long windows_pending = 0, windows_open = 0, windows_settled = 0, windows_parked = 0;
  long long backfill_windows = 0, backfill_windows_done = 0;  // done = read at least once
  std::optional<std::string> oldest_unsettled_window;         // its start
  long long rows = 0;
  long long partial_rows = 0;          // waiting for Twilio to complete them
  long long overdue_partial_rows = 0;  // partial although the call ended > completion delay ago
  long long retention_expired_rows = 0;
  // start_time of the newest call stored for the source (ISO-8601 UTC), and its age at `now`;
  // none while the source has no rows. Shows how fresh the data is from the calls' side.
  std::optional<std::string> newest_call_start;
  std::optional<long long> newest_call_age_seconds;
  std::optional<std::string> last_pass_finished_at;
  std::optional<std::string> last_error;  // the newest error of a window not yet past it
  std::optional<std::string> last_error_at;
  std::optional<std::string> last_error_window;
  std::vector<std::string> instances;       // lease owners with unexpired leases
  std::vector<BackfillProgress> backfills;  // the newest few requests, oldest first
};

// How many backfill requests per source `status` shows (the newest).
inline constexpr int kStatusBackfills = 5;

// Reads the status of every source in the `sources` table, by name. `now` and
// overdue_partial_after(options) decide which partial rows are overdue.
std::vector<SourceStatus> read_status(pqxx::connection& connection, UtcSeconds now,
                                      const SyncOptions& options);

void print_status_text(std::ostream& out, const std::vector<SourceStatus>& sources);
void print_status_json(std::ostream& out, const std::vector<SourceStatus>& sources);

}  // namespace insights
