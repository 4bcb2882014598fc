-- Packet loss per hour and edge (average %), and calls losing more than 5 % on any edge.
-- columns: hour, carrier_pct, sip_pct, client_pct, sdk_pct, calls_over_5pct
SELECT hour,
       round(avg(carrier_packet_loss_pct)::numeric, 4) AS carrier_pct,
       round(avg(sip_packet_loss_pct)::numeric, 4) AS sip_pct,
       round(avg(client_packet_loss_pct)::numeric, 4) AS client_pct,
       round(avg(sdk_packet_loss_pct)::numeric, 4) AS sdk_pct,
       count(*) FILTER (WHERE greatest(carrier_packet_loss_pct, sip_packet_loss_pct,
                                       client_packet_loss_pct, sdk_packet_loss_pct) > 5)
           AS calls_over_5pct
FROM bi.call_quality
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY hour
ORDER BY hour;
