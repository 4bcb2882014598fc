#include "core/sync_options_reader.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "core/config_value_echo.hpp"
#include "core/toml_table_reader.hpp"

namespace insights {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

// It goes into lease rows and log lines, so keep it to characters that need no quoting there.
bool is_instance_name(std::string_view value) {
  return !value.empty() && value.size() <= 64 &&
         std::all_of(value.begin(), value.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
                  c == '-';
         });
}

// Sets `field` when `key` is present and within [min, max]; a problem otherwise.
void read_between(TomlTableReader& reader, std::string_view key, int min, int max, int& field) {
  if (const auto value = reader.integer_between(key, min, max))
    field = *value;
}

}  // namespace

SyncOptions read_sync_table(const toml::table& table, const TablePlace& place,
                            std::vector<std::string>& problems) {
  TomlTableReader reader(table, place, problems);
  SyncOptions sync;
  if (const auto window = reader.integer_between("window_minutes", 1, kMinutesPerDay)) {
    // Windows start at multiples of their length; only a divisor of a day keeps every day
    // starting on a window boundary.
    if (kMinutesPerDay % *window == 0) {
      sync.window_minutes = *window;
    } else {
      reader.problem("window_minutes",
                     "must divide a day (1440 minutes) evenly so windows align with days, "
                     "e.g. 5, 15, 30, 60, 120; got " +
                         std::to_string(*window));
    }
  }
  if (const auto schedule = reader.string("schedule")) {
    if (*schedule == "live") {
      sync.schedule = LiveSchedule::live;
    } else if (*schedule == "economical") {
      sync.schedule = LiveSchedule::economical;
    } else if (*schedule == "fresh") {
      sync.schedule = LiveSchedule::fresh;
    } else {
      reader.problem("schedule", "must be one of live, economical, fresh; got " +
                                     quoted_config_text(*schedule));
    }
  }
  read_between(reader, "first_read_after_minutes", 0, kMinutesPerDay,
               sync.first_read_after_minutes);
  read_between(reader, "initial_lookback_hours", 0, 720, sync.initial_lookback_hours);
  read_between(reader, "settle_after_minutes", 1, 2880, sync.settle_after_minutes);
  read_between(reader, "completion_delay_minutes", 1, kMinutesPerDay,
               sync.completion_delay_minutes);
  read_between(reader, "poll_interval_seconds", 1, 3600, sync.poll_interval_seconds);
  read_between(reader, "edge_poll_seconds", 10, 3600, sync.edge_poll_seconds);
  read_between(reader, "completion_read_seconds", 10, 3600, sync.completion_read_seconds);
  read_between(reader, "reread_interval_seconds", 10, 86400, sync.reread_interval_seconds);
  read_between(reader, "lease_seconds", 5, 3600, sync.lease_seconds);
  read_between(reader, "park_after_attempts", 1, 100, sync.park_after_attempts);
  read_between(reader, "parked_retry_seconds", 0, 7 * 24 * 3600, sync.parked_retry_seconds);
  read_between(reader, "once_attempts", 1, 100, sync.once_attempts);
  read_between(reader, "straggler_limit", 0, 1000, sync.straggler_limit);
  read_between(reader, "annotation_pass_after_hours", 0, 696, sync.annotation_pass_after_hours);
  read_between(reader, "annotation_daily_passes", 1, 29, sync.annotation_daily_passes);
  read_between(reader, "annotation_pass_interval_days", 0, 29, sync.annotation_pass_interval_days);
  read_between(reader, "split_above_pages", 0, 1000, sync.split_above_pages);
  if (auto name = reader.string("instance_name")) {
    if (is_instance_name(*name)) {
      sync.instance_name = std::move(*name);
    } else {
      reader.problem("instance_name",
                     "must be 1 to 64 characters of letters, digits, '_', '.', ':' or '-'; got " +
                         quoted_config_text(*name));
    }
  }
  reader.reject_unknown_keys();
  return sync;
}

}  // namespace insights
