// The crash loop (issue #9, item 1): the real insights-sync daemon runs a backfill and a live
// tail against the real insights-sim over TLS and a real PostgreSQL, and is killed with SIGKILL
// again and again: at instants drawn uniformly over each run, and in the middle of a COPY, a
// merge and a COMMIT. After every kill it is started again. The sim's clock moves on between
// runs, so summaries go from partial to complete while the daemon is being killed.
//
// After every kill: each stored row was counted by the committed page that inserted it (rows
// and cursor commit together), no row stored before is gone, no row once complete is partial
// again, no row is complete that the sim still has as partial, and no row exists that the sim
// does not have. At the end one clean `sync --once` runs, then no window is missing, none is
// left mid-pass or parked, and the warehouse equals the sim's truth field by field.
//
// INSIGHTS_CRASH_TRIALS sets the number of kills (default 20, the test suite; tests/long/run.sh
// runs 200). Every 20 trials the backfill is enqueued again, so each round of 20 kills has
// backfill work in flight. Figures are printed on lines starting with "[ crash    ]".
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <map>
#include <pqxx/nontransaction>
#include <random>
#include <string>
#include <thread>

#include "core/exit_codes.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/daemon_activity.hpp"
#include "tests/support/environment_setting.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/sync_config.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_dir.hpp"
#include "tests/support/truth_comparison.hpp"

namespace insights::testing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

constexpr int kTrialsPerRound = 20;
// Kill instants are drawn from [0, this]: a full first pass over the backfill and the live tail
// takes about this long on two cores, so early kills land in start-up and later ones anywhere.
constexpr int kLongestKillDelayMs = 4000;
// How far the sim's clock moves between two runs: calls end, and partial summaries complete
// (about 30 sim minutes after their end), while the daemon keeps being killed.
constexpr int kSimSecondsPerTrial = 90;
// A targeted kill waits this long at most for its moment, then kills wherever the daemon is.
constexpr auto kTargetPatience = 15s;
// The sim changes a summary for the last time this long after its call started at most: a call
// lasts up to 4 h, completes up to 35 min after its end, and its annotation may be edited up to
// 48 h after that (the sim is told so: it edits up to 29 days after by default). The backfill ends
// at least this long before the last sim instant of the run, so its truth cannot change after its
// windows settled; otherwise a late edit of a call the backfill read days ago makes the warehouse
// differ from the truth by design.
constexpr auto kLastChangeAfterCallStart = 4h + 35min + 48h;
// Real time the run adds to the sim clock (it runs at wall-clock speed), with margin.
constexpr auto kRunTimeMargin = 2h;

UtcSeconds floor_hour(UtcSeconds time) {
  return UtcSeconds(floor<hours>(time.time_since_epoch()));
}

long long number(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction tx(connection);
  const auto row = tx.exec1(sql);
  return row[0].is_null() ? 0 : row[0].as<long long>();
}

// Where a trial aims its kill. Half the trials kill at a uniform instant; the others wait for
// a page's COPY, merge or COMMIT to be in progress.
enum class KillAim { any_instant, copy, merge, commit };

KillAim aim_of(int trial) {
  switch (trial % 6) {
    case 1:
      return KillAim::copy;
    case 3:
      return KillAim::merge;
    case 5:
      return KillAim::commit;
    default:
      return KillAim::any_instant;
  }
}

bool hits(KillAim aim, DaemonMoment moment) {
  return (aim == KillAim::copy && moment == DaemonMoment::copy) ||
         (aim == KillAim::merge && moment == DaemonMoment::merge) ||
         (aim == KillAim::commit && moment == DaemonMoment::commit);
}

// The harness's own bookkeeping, in a schema of its own: every call_sid ever seen stored, and
// whether it was ever seen partial, and complete. A deferred trigger sleeps 30 ms in each page
// commit (only when work_items.pages_read moves, i.e. a page's rows and cursor), so the COMMIT
// lasts long enough for pg_stat_activity to show it and the kill to land inside it. It changes
// timing only: the commit still applies everything or nothing.
void install_harness(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  tx.exec0("CREATE SCHEMA crash_loop");
  tx.exec0(
      "CREATE TABLE crash_loop.seen (call_sid text PRIMARY KEY, ever_partial boolean NOT NULL,"
      " ever_complete boolean NOT NULL)");
  tx.exec0(
      "CREATE FUNCTION crash_loop.slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
      " $$BEGIN PERFORM pg_sleep(0.03); RETURN NULL; END$$");
  tx.exec0(
      "CREATE CONSTRAINT TRIGGER crash_loop_slow_page_commit AFTER UPDATE ON work_items"
      " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.pages_read <> OLD.pages_read)"
      " EXECUTE FUNCTION crash_loop.slow_commit()");
}

struct Tally {
  std::map<DaemonMoment, int> kills_at;
  int targeted = 0, targets_missed = 0, exited_before_kill = 0;
  long long passes_resumed = 0, rows_lost = 0, rows_downgraded = 0;
};

class CrashLoopTest : public PgTest {
 protected:
  TestDir test_dir{"crash-loop"};
  const std::string& dir = test_dir.path();
};

TEST_F(CrashLoopTest, SigkillAnywhereInABackfillAndALiveTailLosesAndDowngradesNothing) {
  // At most 50 sim hours of trials, so the backfill stays well inside Twilio's 30-day retention.
  const int trials = environment_setting("INSIGHTS_CRASH_TRIALS", kTrialsPerRound, 1, 2'000);
  const UtcSeconds start = floor<seconds>(system_clock::now());
  UtcSeconds sim_now = start;
  SimProcess sim(dir + "/sim", start,
                 {"--calls-per-hour", "2000", "--latest-annotation-edit-hours", "48"});
  install_harness(*pg);

  SyncConfig config;
  config.database_url = db->conninfo();
  config.api_url = sim.base_url();
  config.ca_file = sim.ca_file();
  config.lookback_hours = 6;
  // Live windows are due again every few seconds and never settle, so every run has pages to
  // commit (re-reads find summaries the sim completed meanwhile); the backfill's windows, more
  // than two days old, settle after their pass.
  config.sync_lines = {kFreshSchedule, "poll_interval_seconds = 1", "reread_interval_seconds = 10",
                       "settle_after_minutes = 2880"};
  const std::string config_file = config.write(dir + "/sync.toml");
  const std::map<std::string, std::string> environment = {{kSyncConfigSecretEnv, kSimToken}};
  const UtcSeconds backfill_to = floor_hour(start - kLastChangeAfterCallStart - kRunTimeMargin -
                                            seconds(trials * kSimSecondsPerTrial));
  const UtcSeconds backfill_from = backfill_to - 48h;

  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(0, kLongestKillDelayMs);
  std::cout << "[ crash    ] seed " << seed << ", " << trials << " trials; backfill "
            << format_utc(backfill_from) << ".." << format_utc(backfill_to)
            << ", live tail of 6 h, sim clock +" << kSimSecondsPerTrial << " s per trial"
            << std::endl;

  // The truth of the backfill's range must hold still for the whole run (see
  // kLastChangeAfterCallStart); the end checks that it did.
  const SummaryDigests backfill_truth_at_start = sim.truth(backfill_from, backfill_to);

  DaemonActivity activity(db->conninfo());
  Tally tally;
  for (int trial = 0; trial < trials; ++trial) {
    if (trial % kTrialsPerRound == 0) {
      // A new round: the range again (its windows get one more pass; the first time, created).
      const ChildResult enqueued =
          run_child(INSIGHTS_SYNC_BINARY,
                    {"--config", config_file, "backfill", "--from", format_utc(backfill_from),
                     "--to", format_utc(backfill_to)},
                    dir + "/backfill.log", environment, 60s);
      ASSERT_TRUE(enqueued.exit && enqueued.exit->exited && enqueued.exit->exit_code == kExitOk)
          << enqueued.output;
    }
    sim.admin_post("/_sim/clock?advance=" + std::to_string(kSimSecondsPerTrial));
    sim_now += seconds(kSimSecondsPerTrial);

    const KillAim aim = aim_of(trial);
    const std::string log = dir + "/trial-" + std::to_string(trial % kTrialsPerRound) + ".log";
    ChildProcess daemon(INSIGHTS_SYNC_BINARY, {"--config", config_file, "run"}, log, environment);
    DaemonMoment moment = DaemonMoment::no_transaction;
    if (aim == KillAim::any_instant) {
      std::this_thread::sleep_for(milliseconds(delay_ms(random)));
      moment = activity.now();
    } else {
      // Not before a random instant of the first half, then at the first sight of the aim.
      ++tally.targeted;
      std::this_thread::sleep_for(milliseconds(delay_ms(random) / 2));
      const auto give_up = steady_clock::now() + kTargetPatience;
      do {
        moment = activity.now();
      } while (!hits(aim, moment) && steady_clock::now() < give_up && daemon.running());
      if (!hits(aim, moment))
        ++tally.targets_missed;
    }
    const ChildExit end = daemon.kill_now();
    if (end.exited) {
      ++tally.exited_before_kill;
      ADD_FAILURE() << "trial " << trial << ": the daemon ended on its own (" << end.describe()
                    << "):\n"
                    << daemon.output();
      return;
    }
    ++tally.kills_at[moment];
    // The checks below read what the killed daemon left: wait until its sessions are gone (a
    // COMMIT in flight on the server still lands, or not, before that).
    ASSERT_TRUE(activity.wait_until_sessions_end(30s)) << "the killed daemon's sessions stay";

    // Every stored row was counted by the one committed page that inserted it.
    const long long rows = number(*pg, "SELECT count(*) FROM call_summaries");
    EXPECT_EQ(number(*pg, "SELECT sum(rows_inserted) FROM work_items"), rows) << "trial " << trial;
    // Nothing stored before is gone; nothing once complete is partial again.
    const long long lost = number(*pg,
                                  "SELECT count(*) FROM crash_loop.seen s LEFT JOIN call_summaries"
                                  " c USING (call_sid) WHERE c.call_sid IS NULL");
    const long long downgraded =
        number(*pg,
               "SELECT count(*) FROM crash_loop.seen s JOIN call_summaries c USING (call_sid)"
               " WHERE s.ever_complete AND c.processing_state IS DISTINCT FROM 'complete'");
    tally.rows_lost += lost;
    tally.rows_downgraded += downgraded;
    EXPECT_EQ(lost, 0) << "trial " << trial;
    EXPECT_EQ(downgraded, 0) << "trial " << trial;
    pqxx::nontransaction(*pg).exec0(
        "INSERT INTO crash_loop.seen SELECT call_sid, processing_state = 'partial',"
        " processing_state = 'complete' FROM call_summaries ON CONFLICT (call_sid) DO UPDATE"
        " SET ever_partial = seen.ever_partial OR EXCLUDED.ever_partial,"
        " ever_complete = seen.ever_complete OR EXCLUDED.ever_complete");
    // Against the sim's truth now (the live range; the backfill's calls are long complete):
    // nothing complete that the sim has as partial, nothing the sim does not have.
    const Comparison check =
        compare_with_truth(stored_digests(*pg, "start_time", start - 7h, sim_now),
                           sim.truth(start - 7h, sim_now), false);
    EXPECT_EQ(check.complete_but_partial_in_truth, 0) << "trial " << trial << check.examples;
    EXPECT_EQ(check.extra, 0) << "trial " << trial << check.examples;

    const long long mid_pass =
        number(*pg, "SELECT count(*) FROM work_items WHERE page_cursor IS NOT NULL");
    tally.passes_resumed += mid_pass;
    std::cout << "[ crash    ] trial " << trial << ": killed " << describe(moment)
              << (aim == KillAim::any_instant ? " (uniform instant)"
                  : hits(aim, moment)         ? " (aimed)"
                                              : " (aim missed)")
              << "; " << rows << " rows, " << mid_pass << " window(s) mid-pass, "
              << number(*pg, "SELECT sum(pages_read) FROM work_items") << " pages committed"
              << std::endl;
    if (HasFailure())
      return;
  }

  // One clean run finishes everything due; the sim's clock stands still from here on. Windows
  // the last trial read are due again only after reread_interval_seconds: wait for that, so the
  // final run reads every window at the final sim clock.
  const long long wait_ms =
      number(*pg,
             "SELECT ceil(greatest(0, extract(epoch FROM max(next_due_at) - now())) * 1000)::bigint"
             " FROM work_items WHERE state IN ('pending', 'open')");
  ASSERT_LE(wait_ms, 60'000) << "a window is due later than the re-read interval allows";
  std::this_thread::sleep_for(milliseconds(wait_ms));
  // The sim's clock runs at wall-clock speed: stop it, or a summary the sim changes between the
  // final run's read of its window and the truth read below (an annotation edited, a call
  // completed) makes the live range differ by a row (it did: "stored complete, truth complete").
  sim.admin_post("/_sim/clock?speed=0");
  const UtcSeconds final_start = floor<seconds>(system_clock::now());
  const ChildResult final_run =
      run_child(INSIGHTS_SYNC_BINARY, {"--config", config_file, "sync", "--once"},
                dir + "/final.log", environment, 600s);
  ASSERT_TRUE(final_run.exit && final_run.exit->exited && final_run.exit->exit_code == kExitOk)
      << final_run.output;

  // No window lost: the live windows follow each other without a gap, the backfill's cover its
  // range exactly, and every one was read to its end, none parked.
  EXPECT_EQ(number(*pg,
                   "SELECT count(*) FROM (SELECT window_start, lag(window_end) OVER"
                   " (ORDER BY window_start) AS previous_end FROM work_items WHERE kind = 'live')"
                   " w WHERE previous_end IS NOT NULL AND previous_end <> window_start"),
            0)
      << "gaps between live windows";
  EXPECT_EQ(number(*pg,
                   "SELECT extract(epoch FROM sum(window_end - window_start))::bigint FROM"
                   " work_items WHERE kind = 'backfill'"),
            duration_cast<seconds>(backfill_to - backfill_from).count());
  EXPECT_EQ(
      number(*pg, "SELECT count(*) FROM work_items WHERE kind = 'backfill' AND (window_start < '" +
                      format_utc(backfill_from) + "' OR window_end > '" + format_utc(backfill_to) +
                      "')"),
      0);
  EXPECT_EQ(number(*pg,
                   "SELECT count(*) FROM work_items WHERE passes_completed = 0"
                   " OR passes_completed < requested_passes OR page_cursor IS NOT NULL"
                   " OR state = 'parked'"),
            0)
      << "every window read to its end";
  EXPECT_EQ(number(*pg, "SELECT count(*) FROM call_summaries"),
            number(*pg, "SELECT sum(rows_inserted) FROM work_items"));

  // The warehouse equals the truth, field by field, over both ranges.
  const UtcSeconds live_from{seconds(number(
      *pg,
      "SELECT extract(epoch FROM min(window_start))::bigint FROM work_items WHERE kind = 'live'"))};
  const Comparison live = compare_with_truth(
      stored_digests(*pg, "start_time", live_from, final_start), sim.truth(live_from, final_start));
  const SummaryDigests backfill_truth = sim.truth(backfill_from, backfill_to);
  const Comparison truth_moved = compare_with_truth(backfill_truth_at_start, backfill_truth);
  EXPECT_TRUE(truth_moved.equal()) << "the sim changed summaries in the backfill's range during"
                                      " the run\n"
                                   << truth_moved.examples;
  const Comparison backfill = compare_with_truth(
      stored_digests(*pg, "start_time", backfill_from, backfill_to), backfill_truth);
  EXPECT_TRUE(live.equal()) << live.describe();
  EXPECT_TRUE(backfill.equal()) << backfill.describe();

  // The aimed kills did land in a COPY, a merge and a COMMIT.
  if (trials >= kTrialsPerRound) {
    EXPECT_GT(tally.kills_at[DaemonMoment::copy], 0);
    EXPECT_GT(tally.kills_at[DaemonMoment::merge], 0);
    EXPECT_GT(tally.kills_at[DaemonMoment::commit], 0);
  }

  std::cout << "[ crash    ] " << trials << " SIGKILLs survived (seed " << seed
            << "); killed: " << tally.kills_at[DaemonMoment::copy] << " mid-COPY, "
            << tally.kills_at[DaemonMoment::merge] << " mid-merge, "
            << tally.kills_at[DaemonMoment::commit] << " mid-COMMIT, "
            << tally.kills_at[DaemonMoment::other_statement] << " in another statement, "
            << tally.kills_at[DaemonMoment::between_statements]
            << " in a transaction between statements, "
            << tally.kills_at[DaemonMoment::no_transaction] << " outside a transaction; "
            << tally.targets_missed << " of " << tally.targeted << " aimed kills missed their aim"
            << std::endl;
  std::cout << "[ crash    ] " << tally.passes_resumed << " window passes resumed mid-way; "
            << live.compared + backfill.compared
            << " rows compared with the truth: " << live.missing + backfill.missing << " missing, "
            << live.different + backfill.different << " different, " << live.extra + backfill.extra
            << " extra; " << tally.rows_lost << " stored rows lost, " << tally.rows_downgraded
            << " complete rows downgraded; "
            << number(*pg,
                      "SELECT count(*) FROM crash_loop.seen WHERE ever_partial AND ever_complete")
            << " summaries stored partial, then complete between two kills" << std::endl;
}

}  // namespace
}  // namespace insights::testing
