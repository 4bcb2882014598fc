-- Per source: how far the sync has read, what is still open, partial or failing.
-- columns: source, account_sid, read_through, lag_seconds, windows_open, windows_pending, windows_parked, oldest_unsettled_window, partial_backlog, last_error, last_error_at
SELECT source, account_sid, read_through, round(lag_seconds) AS lag_seconds, windows_open,
       windows_pending, windows_parked, oldest_unsettled_window, partial_backlog, last_error,
       last_error_at
FROM bi.sync_health
ORDER BY source;
