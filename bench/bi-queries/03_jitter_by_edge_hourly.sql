-- Jitter per hour and edge: the average of calls' jitter and the worst peak (ms).
-- columns: hour, carrier_avg_ms, carrier_max_ms, sip_avg_ms, sip_max_ms, client_avg_ms, client_max_ms, sdk_avg_ms, sdk_max_ms
SELECT hour,
       round(avg(carrier_jitter_avg_ms)::numeric, 3) AS carrier_avg_ms,
       round(max(carrier_jitter_max_ms)::numeric, 3) AS carrier_max_ms,
       round(avg(sip_jitter_avg_ms)::numeric, 3) AS sip_avg_ms,
       round(max(sip_jitter_max_ms)::numeric, 3) AS sip_max_ms,
       round(avg(client_jitter_avg_ms)::numeric, 3) AS client_avg_ms,
       round(max(client_jitter_max_ms)::numeric, 3) AS client_max_ms,
       round(avg(sdk_jitter_avg_ms)::numeric, 3) AS sdk_avg_ms,
       round(max(sdk_jitter_max_ms)::numeric, 3) AS sdk_max_ms
FROM bi.call_quality
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY hour
ORDER BY hour;
