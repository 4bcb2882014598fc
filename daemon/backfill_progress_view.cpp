#include "daemon/backfill_progress_view.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "core/utc_time.hpp"

namespace insights {
namespace {

std::string clock_text(double seconds) {
  const long long total = std::llround(seconds);
  const long long hours = total / 3600, minutes = total / 60 % 60, rest = total % 60;
  char text[32];
  if (hours > 0)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", hours, minutes, rest);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", minutes, rest);
  return text;
}

std::string title(const BackfillProgress& progress) {
  return "backfill #" + std::to_string(progress.id) + " " + progress.source + " " +
         format_utc(progress.range.start) + ".." + format_utc(progress.range.end);
}

}  // namespace

std::string describe_backfill(const BackfillProgress& progress, const BackfillRate& rate,
                              int width) {
  const double fraction = progress.windows > 0 ? static_cast<double>(progress.windows_done) /
                                                     static_cast<double>(progress.windows)
                                               : 0.0;
  const int filled = std::clamp(static_cast<int>(fraction * width), 0, width);
  std::string text = "[";
  text.append(filled, '#').append(width - filled, '.').append("] ");
  text += std::to_string(progress.windows_done) + "/" + std::to_string(progress.windows) +
          " windows  " + std::to_string(progress.rows) + " rows  " +
          std::to_string(std::llround(rate.rows_per_second)) + " rows/s  ";
  if (progress.done())
    text += "done";
  else
    text += "ETA " + (rate.eta_seconds < 0 ? std::string("?") : clock_text(rate.eta_seconds));
  if (progress.windows_parked > 0)
    text += "  " + std::to_string(progress.windows_parked) + " parked";
  return text;
}

BackfillProgressView::BackfillProgressView(std::ostream& out, bool terminal,
                                           std::chrono::seconds log_every)
    : out_(out), terminal_(terminal), log_every_(log_every) {}

BackfillRate BackfillProgressView::rate_of(const BackfillProgress& progress, SteadyTime now) {
  const auto [entry, inserted] =
      first_seen_.try_emplace(progress.id, FirstSeen{now, progress.rows, progress.windows_done});
  BackfillRate rate;
  const double elapsed = std::chrono::duration<double>(now - entry->second.at).count();
  if (inserted || elapsed <= 0)
    return rate;
  rate.rows_per_second = static_cast<double>(progress.rows - entry->second.rows) / elapsed;
  const long long finished = progress.windows_done - entry->second.windows_done;
  if (finished > 0) {
    rate.eta_seconds = static_cast<double>(progress.windows - progress.windows_done) * elapsed /
                       static_cast<double>(finished);
  }
  return rate;
}

void BackfillProgressView::show(const std::vector<BackfillProgress>& backfills, SteadyTime now) {
  if (terminal_)
    draw(backfills, now);
  else if (!logged_ || now - last_log_ >= log_every_)
    log(backfills, now);
}

void BackfillProgressView::finish(const std::vector<BackfillProgress>& backfills, SteadyTime now) {
  if (terminal_)
    draw(backfills, now);
  else
    log(backfills, now);
}

void BackfillProgressView::draw(const std::vector<BackfillProgress>& backfills, SteadyTime now) {
  // Back to the first line drawn last time, then every line again (cleared first).
  if (lines_drawn_ > 0)
    out_ << "\x1b[" << lines_drawn_ << "F";
  for (const auto& progress : backfills) {
    out_ << "\x1b[2K" << title(progress) << "\n\x1b[2K  "
         << describe_backfill(progress, rate_of(progress, now), 30) << "\n";
  }
  lines_drawn_ = 2 * static_cast<int>(backfills.size());
  out_.flush();
}

void BackfillProgressView::log(const std::vector<BackfillProgress>& backfills, SteadyTime now) {
  for (const auto& progress : backfills)
    spdlog::info("{}: {}", title(progress),
                 describe_backfill(progress, rate_of(progress, now), 20));
  last_log_ = now;
  logged_ = true;
}

}  // namespace insights
