-- Calls by country of each party, with the abnormal share and the average duration.
-- columns: party, country_code, calls, abnormal_pct, avg_duration_s
SELECT party, coalesce(country_code, 'unknown') AS country_code, count(*) AS calls,
       round(100.0 * count(*) FILTER (WHERE abnormal) / count(*), 2) AS abnormal_pct,
       round(avg(duration_s)) AS avg_duration_s
FROM bi.call_parties
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY party, 2
ORDER BY party, calls DESC;
