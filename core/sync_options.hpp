#pragma once
// How the scheduler cuts time into windows and when it reads them again (`[sync]` in the
// config file). Every field has a default a production daemon can run on; units are in the
// names. docs/design.md, "How the sync works": a summary changes after its window was first read
// (partial about ten minutes after the call ends, complete about 30 minutes after, calls last up to
// hours), so a window is re-read until nothing in it can still change.

#include <optional>
#include <string>

namespace insights {

// How the live tail keeps up with Twilio: how often windows are read before their settle
// horizon, and whether the live edge is polled between window reads.
enum class LiveSchedule {
  // Fresh and frugal: windows are read as on the economical schedule (they guarantee that every
  // call lands, complete), and between those reads the live edge is polled every
  // edge_poll_seconds for the summaries Twilio lists as partial (one request a poll at 600
  // calls an hour); the rows a poll no longer lists have completed and are read back in batches
  // every completion_read_seconds (daemon/live_edge.hpp). A call shows about a minute after Twilio
  // lists it, complete within minutes of Twilio completing it.
  live,
  // Few API requests: a window is read first_read_after_minutes after its end (its calls have
  // ended and most summaries completed), then once more at its settle horizon (calls that were
  // still running, summaries that were still partial). Data lands about an hour after a call.
  economical,
  // Fresh data: the window holding "now" is read every poll_interval_seconds, older windows
  // every reread_interval_seconds and when their partial rows are due to complete. Data lands
  // minutes after a call; costs tens of times the requests.
  fresh,
};

struct SyncOptions {
  // Length of one window (work item). Windows start at multiples of it (UTC). 1..1440.
  int window_minutes = 60;
  // "live", "economical" or "fresh" (see LiveSchedule).
  LiveSchedule schedule = LiveSchedule::live;
  // live, economical: a window is first read this long after its end. 0..1440.
  int first_read_after_minutes = 40;
  // On first start, the live tail begins this far back (then continues from its last window).
  // 0..720 (Twilio keeps 30 days).
  int initial_lookback_hours = 24;
  // A window is re-read until this long after its end: the longest call (Twilio's default
  // time limit is 4 h) plus the time to complete (~30 min). After that it settles once a pass
  // found no partial rows. 1..2880.
  int settle_after_minutes = 300;
  // How long after a call ends Twilio completes its summary (for scheduling re-reads of
  // windows that hold partial rows). 1..1440.
  int completion_delay_minutes = 35;
  // fresh: the window that contains "now" is read again this often. 1..3600.
  int poll_interval_seconds = 60;
  // live: the live edge (every call that can still be partial: the last settle_after_minutes)
  // is listed with ProcessingState=partial this often. A new listing lands within this long
  // plus the poll's own time. 10..3600.
  int edge_poll_seconds = 80;
  // live: summaries that left the partial listing (completed) are read back this often: one
  // request for calls close in time, one by one for calls that lasted over 30 minutes. A
  // completion lands within edge_poll_seconds plus this long. 10..3600.
  int completion_read_seconds = 180;
  // fresh: older windows still within settle_after are read again this often; both schedules:
  // windows past it that still hold partial rows. 10..86400.
  int reread_interval_seconds = 600;
  // A claimed work item is leased for this long and the lease is renewed while it is worked
  // on; an instance that dies loses its items to others after at most this long. 5..3600.
  int lease_seconds = 60;
  // A page that fails to parse parks its window after this many attempts failed on it (network
  // errors, 429 and 5xx in between neither count nor reset the count; they are retried
  // without limit by `run`). Other errors of kind park park it at once. 1..100.
  int park_after_attempts = 5;
  // A parked window is tried again this long after it was parked, with another
  // park_after_attempts attempts (the cause may have been the API's, and mended since); it stays
  // parked until a pass finishes. 0: never, it waits for a `backfill` of its range. 0..604800
  // (a week).
  int parked_retry_seconds = 3600;
  // `sync --once` gives up on a window after this many failed attempts in a row (429s back
  // off but do not count). 1..100.
  int once_attempts = 4;
  // Partial rows left in a window past settle_after are fetched one by one through
  // GET /v1/Voice/{CallSid}/Summary when they are fewer than the pages a re-read costs and at
  // most this many. 0 disables single fetches. 0..1000.
  int straggler_limit = 20;
  // Annotations can change as long as Twilio keeps the summary (30 days), so a settled window is
  // read again: first this long after its settle horizon (0 disables every annotation pass),
  // then a day apart until annotation_daily_passes reads were made, then every
  // annotation_pass_interval_days, and a last time an hour before Twilio's retention drops the
  // window's first calls (window_planner.hpp, next_annotation_pass). 0..696.
  int annotation_pass_after_hours = 24;
  // Reads a day apart, the first included: an edit in the window's first days lands within a
  // day. 1..29.
  int annotation_daily_passes = 3;
  // Then a read this many days apart until retention (an edit lands within this many days);
  // 0: none after the daily ones, not even the last one before retention. 0..29.
  int annotation_pass_interval_days = 7;
  // A backfill window whose first page shows it holds more than this many pages (1000 calls
  // each) is split into pieces that are read in parallel, so one busy hour does not serialise
  // a backfill. 0 disables splitting. 0..1000.
  int split_above_pages = 10;
  // Names this process in work item leases and `status`. Default: "host:pid", unique even for
  // a `sync --once` next to a running daemon. A stable name lets a restarted instance take its
  // leases back at once; two instances against one database must have different names.
  std::optional<std::string> instance_name;

  bool operator==(const SyncOptions&) const = default;
};

}  // namespace insights
