-- The SLA overrides in force during the month with the sessions they
-- touched, per override and line (first and last session start in µs).
SELECT `sla_override`, `business_line`, COUNT(*) AS `sessions`,
       MIN(`first_response_threshold_s`) AS `first_response_threshold_s`,
       MIN(`reply_threshold_s`) AS `reply_threshold_s`,
       MIN(`started_at`) AS `first_session`, MAX(`started_at`) AS `last_session`
FROM `sessions`
WHERE `local_month` = ${month} AND `sla_override` IS NOT NULL
GROUP BY `sla_override`, `business_line`
ORDER BY `sla_override` NULLS LAST, `business_line` NULLS LAST
