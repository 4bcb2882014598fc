-- Abnormal sessions (last SIP response not 200) per hour by response class.
-- columns: hour, sip_response_class, calls
SELECT hour, sip_response_class, count(*) AS calls
FROM bi.abnormal_sessions
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY hour, sip_response_class
ORDER BY hour, sip_response_class;
