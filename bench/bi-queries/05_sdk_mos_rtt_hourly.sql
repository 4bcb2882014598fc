-- Voice SDK calls per hour: MOS (average, lowest call average, calls below 3.5) and RTT.
-- columns: hour, sdk_calls, mos_avg, mos_min, calls_below_3_5, rtt_avg_ms
SELECT hour,
       count(sdk_mos) AS sdk_calls,
       round(avg(sdk_mos)::numeric, 2) AS mos_avg,
       round(min(sdk_mos)::numeric, 2) AS mos_min,
       count(*) FILTER (WHERE sdk_mos < 3.5) AS calls_below_3_5,
       round(avg(sdk_rtt_ms)::numeric, 1) AS rtt_avg_ms
FROM bi.call_quality
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
  AND sdk_mos IS NOT NULL
GROUP BY hour
ORDER BY hour;
