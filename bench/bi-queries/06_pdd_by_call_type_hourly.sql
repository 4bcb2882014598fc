-- Post-dial delay per hour and call type (ms), of calls that report one.
-- columns: hour, call_type, calls, pdd_avg_ms, pdd_max_ms
SELECT hour, call_type, count(*) AS calls, round(avg(pdd_ms)) AS pdd_avg_ms,
       max(pdd_ms) AS pdd_max_ms
FROM bi.call_quality
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
  AND pdd_ms > 0
GROUP BY hour, call_type
ORDER BY hour, call_type;
