-- The 20 busiest carriers of each party, with the abnormal share.
-- columns: party, carrier, calls, abnormal_pct
SELECT party, carrier, calls, abnormal_pct
FROM (SELECT party, coalesce(carrier, 'unknown') AS carrier, count(*) AS calls,
             round(100.0 * count(*) FILTER (WHERE abnormal) / count(*), 2) AS abnormal_pct,
             row_number() OVER (PARTITION BY party ORDER BY count(*) DESC) AS rank
      FROM bi.call_parties
      WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
      GROUP BY party, 2) ranked
WHERE rank <= 20
ORDER BY party, calls DESC, carrier;
