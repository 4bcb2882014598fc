-- Answering machine detection results (answered_by) of connected calls.
-- columns: answered_by, calls, pct, avg_duration_s
SELECT coalesce(answered_by, 'not detected') AS answered_by, count(*) AS calls,
       round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS pct,
       round(avg(duration_s)) AS avg_duration_s
FROM bi.calls
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
  AND call_state IN ('completed', 'answered')
GROUP BY 1
ORDER BY calls DESC;
