-- Customer annotations by connectivity issue: calls, average score, spam, quality issues.
-- columns: connectivity_issue, calls, avg_call_score, spam_calls, with_quality_issue, amd_disagrees
SELECT coalesce(connectivity_issue, 'none') AS connectivity_issue, count(*) AS calls,
       round(avg(call_score), 2) AS avg_call_score,
       count(*) FILTER (WHERE spam) AS spam_calls,
       count(*) FILTER (WHERE quality_issues && ARRAY['low_volume', 'choppy_robotic', 'echo',
                                 'dtmf', 'latency', 'owa', 'static_noise']) AS with_quality_issue,
       count(*) FILTER (WHERE annotated_answered_by IN ('human', 'machine')
                          AND (answered_by = 'human' OR answered_by LIKE 'machine%')
                          AND (annotated_answered_by = 'human') <> (answered_by = 'human'))
           AS amd_disagrees
FROM bi.annotations
WHERE account_sid = :'account' AND start_time >= :'from' AND start_time < :'to'
GROUP BY 1
ORDER BY calls DESC;
