-- Calls per hour by call state (stacked time series).
-- columns: hour, call_state, calls
SELECT hour, call_state, count(*) AS calls
FROM bi.calls
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY hour, call_state
ORDER BY hour, call_state;
