-- The newest 100 abnormal sessions (table panel).
-- columns: start_time, call_sid, last_sip_response_num, call_type, call_state, direction, from_carrier, to_carrier, to_country_code
SELECT start_time, call_sid, last_sip_response_num, call_type, call_state, direction,
       from_carrier, to_carrier, to_country_code
FROM bi.abnormal_sessions
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
ORDER BY start_time DESC
LIMIT 100;
