-- Calls per hour by quality tag.
-- columns: hour, tag, calls
SELECT hour, tag, count(*) AS calls
FROM bi.call_tags
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY hour, tag
ORDER BY hour, tag;
