-- Calls and minutes per day by call type and direction.
-- columns: day, call_type, direction, calls, connected_minutes
SELECT day, call_type, direction, count(*) AS calls,
       round(sum(connect_duration_s) / 60.0, 1) AS connected_minutes
FROM bi.calls
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY day, call_type, direction
ORDER BY day, call_type, direction;
