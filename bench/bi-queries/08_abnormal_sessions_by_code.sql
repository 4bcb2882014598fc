-- Abnormal sessions by SIP response code and call state, with their share of all calls.
-- columns: last_sip_response_num, call_state, calls, pct_of_all_calls, last_seen
SELECT a.last_sip_response_num, a.call_state, count(*) AS calls,
       round(100.0 * count(*) / max(t.calls), 2) AS pct_of_all_calls,
       max(a.start_time) AS last_seen
FROM bi.abnormal_sessions a,
     (SELECT count(*) AS calls FROM bi.calls
      WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to') t
WHERE a.account_sid = :'account' AND a.start_time >= :'from' AND a.start_time < :'to'
GROUP BY a.last_sip_response_num, a.call_state
ORDER BY calls DESC, a.last_sip_response_num;
