#pragma once
// Shows how backfills advance while `backfill --wait` or `--run` follows them: on a terminal a
// live bar per backfill (redrawn in place), otherwise a log line per backfill every
// `log_every` (journald and CI logs do not want carriage returns).
//
//   BackfillProgressView view(std::cerr, isatty(2), std::chrono::seconds(10));
//   view.show(read_backfill_progress(connection, ids), std::chrono::steady_clock::now());
//   ...
//   view.finish(last);
//
// Not thread-safe; one view per output stream.

#include <chrono>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "sink/backfill_requests.hpp"

namespace insights {

using SteadyTime = std::chrono::steady_clock::time_point;

// How fast one backfill went since it was first seen.
struct BackfillRate {
  double rows_per_second = 0;
  // Until every window is done at the pace since the first look; negative: unknown yet.
  double eta_seconds = -1;
};

// `[########............]  12/72 windows  34512 rows  2310 rows/s  ETA 0:42` (bar `width`
// characters).
std::string describe_backfill(const BackfillProgress& progress, const BackfillRate& rate,
                              int width);

class BackfillProgressView {
 public:
  BackfillProgressView(std::ostream& out, bool terminal, std::chrono::seconds log_every);

  void show(const std::vector<BackfillProgress>& backfills, SteadyTime now);
  // The final state, always printed (the bar completed, or one last log line).
  void finish(const std::vector<BackfillProgress>& backfills, SteadyTime now);

 private:
  struct FirstSeen {
    SteadyTime at;
    long long rows = 0;
    long long windows_done = 0;
  };
  BackfillRate rate_of(const BackfillProgress& progress, SteadyTime now);
  void draw(const std::vector<BackfillProgress>& backfills, SteadyTime now);
  void log(const std::vector<BackfillProgress>& backfills, SteadyTime now);

  std::ostream& out_;
  bool terminal_;
  std::chrono::seconds log_every_;
  std::map<long long, FirstSeen> first_seen_;
  int lines_drawn_ = 0;
  SteadyTime last_log_{};
  bool logged_ = false;
};

}  // namespace insights
