#include "daemon/backfill_command.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "core/exit_codes.hpp"
#include "daemon/backfill_progress_view.hpp"
#include "daemon/backfill_range.hpp"
#include "daemon/command_support.hpp"
#include "schema/embedded_migrations.hpp"
#include "sink/backfill_requests.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"
#include "sink/work_item_store.hpp"

namespace insights {
namespace {

constexpr std::chrono::seconds kLogEvery{10};
constexpr std::chrono::milliseconds kPollEvery{1000};
// --wait with nothing moving this long: say that some instance has to do the work.
constexpr std::chrono::seconds kStalledAfter{30};

struct Selection {
  std::vector<SourceOptions> sources;
  std::vector<std::string> unknown;
};

Selection select_sources(const AppConfig& config, const std::vector<std::string>& names) {
  Selection selection;
  for (const auto& source : config.sources) {
    if (names.empty() || std::find(names.begin(), names.end(), source.name) != names.end())
      selection.sources.push_back(source);
  }
  for (const auto& name : names) {
    const bool known = std::any_of(config.sources.begin(), config.sources.end(),
                                   [&name](const SourceOptions& s) { return s.name == name; });
    if (!known)
      selection.unknown.push_back(name);
  }
  return selection;
}

std::string source_names(const std::vector<SourceOptions>& sources) {
  std::string names;
  for (const auto& source : sources)
    names += (names.empty() ? "" : ", ") + source.name;
  return names.empty() ? "(none)" : names;
}

bool all_done(const std::vector<BackfillProgress>& backfills) {
  return std::all_of(backfills.begin(), backfills.end(),
                     [](const BackfillProgress& b) { return b.done(); });
}

long long parked(const std::vector<BackfillProgress>& backfills) {
  long long count = 0;
  for (const auto& b : backfills)
    count += b.windows_parked;
  return count;
}

// The outcome once following ends: every window read (0) or some parked or unread (6).
int outcome(const std::vector<BackfillProgress>& backfills) {
  if (const long long count = parked(backfills); count > 0) {
    spdlog::error(
        "backfill: {} window{} parked; `insights-sync status` shows why. Fix the cause and "
        "run the same backfill again: parked windows get another chance, loaded ones are "
        "re-read without duplicating rows (`run` also tries parked windows again by itself "
        "after sync.parked_retry_seconds)",
        count, count == 1 ? "" : "s");
    return kExitWorkFailed;
  }
  if (!all_done(backfills)) {
    spdlog::error("backfill: not every window could be read; `insights-sync status` shows why");
    return kExitWorkFailed;
  }
  long long rows = 0, windows = 0;
  for (const auto& b : backfills) {
    rows += b.rows;
    windows += b.windows;
  }
  spdlog::info("backfill done: {} windows read, {} rows", windows, rows);
  return kExitOk;
}

// --wait: polls until every window is read or one is parked.
int follow(pqxx::connection& connection, const std::vector<long long>& ids,
           BackfillProgressView& view) {
  spdlog::info("following the backfill; Ctrl-C stops following, not the backfill");
  auto last_change = std::chrono::steady_clock::now();
  std::pair<long long, long long> last_seen{-1, -1};
  bool stall_reported = false;
  while (true) {
    const auto backfills = read_backfill_progress(connection, ids);
    const auto now = std::chrono::steady_clock::now();
    if (all_done(backfills) || parked(backfills) > 0) {
      view.finish(backfills, now);
      return outcome(backfills);
    }
    view.show(backfills, now);
    std::pair<long long, long long> seen{0, 0};
    for (const auto& b : backfills)
      seen = {seen.first + b.windows_done, seen.second + b.rows};
    if (seen != last_seen) {
      last_seen = seen;
      last_change = now;
    } else if (!stall_reported && now - last_change >= kStalledAfter) {
      stall_reported = true;
      spdlog::warn(
          "backfill: no progress for {} s; is an `insights-sync run` instance running for these "
          "sources? (`backfill --run` does the work in this process instead)",
          kStalledAfter.count());
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

// --run: the progress shown from a thread of its own while this thread does the work.
class ProgressThread {
 public:
  ProgressThread(std::string conninfo, std::vector<long long> ids, BackfillProgressView& view)
      : conninfo_(std::move(conninfo)), ids_(std::move(ids)), view_(view) {
    thread_ = std::thread([this] { loop(); });
  }
  ~ProgressThread() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

 private:
  void loop() {
    try {
      auto connection = open_connection(conninfo_);
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        lock.unlock();
        view_.show(read_backfill_progress(*connection, ids_), std::chrono::steady_clock::now());
        lock.lock();
        wake_.wait_for(lock, kPollEvery, [this] { return stopping_; });
      }
    } catch (const std::exception& error) {
      // Only the display stops; the work goes on and its outcome is reported at the end.
      spdlog::warn("backfill: cannot show progress: {}", error.what());
    }
  }

  std::string conninfo_;
  std::vector<long long> ids_;
  BackfillProgressView& view_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

int backfill(const Command& command, const AppConfig& config, const std::string& conninfo) {
  if (config.sources.empty()) {
    throw ConfigError(command.config_path.value_or("configuration"),
                      {"no [[source]] is configured: there is nothing to backfill"});
  }
  Selection selection = select_sources(config, command.sources);
  if (!selection.unknown.empty()) {
    std::string names;
    for (const auto& name : selection.unknown)
      names += (names.empty() ? "\"" : ", \"") + name + "\"";
    std::cerr << "insights-sync: backfill --source " << names
              << " is not a configured source; configured: " << source_names(config.sources)
              << "\n";
    return kExitUsage;
  }

  const UtcSeconds now = SystemClock().now();
  BackfillRange range;
  try {
    range = resolve_backfill_range(parse_backfill_time(command.from, "--from", now),
                                   parse_backfill_time(command.to, "--to", now), now, config.sync);
  } catch (const BackfillRangeError& error) {
    std::cerr << "insights-sync: backfill: " << error.what() << "\n";
    return kExitUsage;
  }
  for (const auto& warning : range.warnings)
    spdlog::warn("backfill: {}", warning);

  AppConfig chosen = config;
  chosen.sources = selection.sources;
  if (command.run_here)
    load_secrets(command, chosen);  // before enqueueing: a missing token fails fast

  auto connection = open_connection(conninfo);
  require_compatible_schema(*connection, embedded_migrations());
  {
    WorkItemStore store(conninfo);
    for (const auto& source : chosen.sources)
      store.register_source(source.name, source.account_sid);
  }
  std::vector<long long> ids;
  for (const auto& source : chosen.sources) {
    const BackfillEnqueued enqueued =
        enqueue_backfill(*connection, BackfillSpec{.source = source.name,
                                                   .range = range.range,
                                                   .window_minutes = config.sync.window_minutes,
                                                   .now = now,
                                                   .requested_by = instance_name(config)});
    ids.push_back(enqueued.id);
    spdlog::info(
        "backfill #{} of source {}: {} .. {}: {} new window{}, {} existing window{} to read "
        "again",
        enqueued.id, source.name, format_utc(range.range.start), format_utc(range.range.end),
        enqueued.windows_added, enqueued.windows_added == 1 ? "" : "s", enqueued.windows_requested,
        enqueued.windows_requested == 1 ? "" : "s");
  }

  BackfillProgressView view(std::cerr, isatty(STDERR_FILENO) == 1, kLogEvery);
  if (command.run_here) {
    SyncRunReport report;
    {
      ProgressThread progress(conninfo, ids, view);
      report = run_sync_engine(command, chosen, conninfo, RunMode::once, range.range);
    }
    const auto backfills = read_backfill_progress(*connection, ids);
    view.finish(backfills, std::chrono::steady_clock::now());
    if (const int code = exit_code_for(report, RunMode::once);
        code != kExitOk && code != kExitWorkFailed) {
      return code;
    }
    return outcome(backfills);
  }
  if (command.wait)
    return follow(*connection, ids, view);
  spdlog::info(
      "enqueued; a running `insights-sync run` picks the windows up (live tail first). "
      "`insights-sync status` shows progress; `backfill --wait` follows it");
  return kExitOk;
}

}  // namespace insights
