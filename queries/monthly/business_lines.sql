-- The monthly review's headline: one row per business line and one for ALL,
-- with the previous month's CSAT, FCR and complaint rate beside this month's.
-- Inputs are prepared by csqa: `sessions` carries local_month and 0/1
-- indicator columns (rated, satisfied, in_fcr, followed_n, complaint_n,
-- agent_handled, frs_measured, frs_met, frs_met_base); `period` has one row
-- (month, prev_month, fcr_complete).
WITH `scoped` AS (
  SELECT `business_line`, `local_month`, `rating`, `rated`, `satisfied`, `in_fcr`,
         `followed_n`, `repeat_n`, `complaint_n`, `agent_handled`, `frs_measured`,
         `frs_met`, `frs_met_base`
  FROM `sessions`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `local_month`, `rating`, `rated`, `satisfied`, `in_fcr`,
         `followed_n`, `repeat_n`, `complaint_n`, `agent_handled`, `frs_measured`,
         `frs_met`, `frs_met_base`
  FROM `sessions`
),
`monthly` AS (
  SELECT `business_line`, `local_month`,
         COUNT(*) AS `sessions`,
         SUM(`rated`) AS `rated`,
         SUM(`satisfied`) AS `satisfied`,
         SUM(`rating`) AS `rating_sum`,
         SUM(`in_fcr`) AS `fcr_sessions`,
         SUM(`followed_n`) AS `followed`,
         SUM(`repeat_n`) AS `repeat_visits`,
         SUM(`complaint_n`) AS `complaints`,
         SUM(`agent_handled`) AS `agent_sessions`,
         SUM(`frs_measured`) AS `frs_measured`,
         SUM(`frs_met`) AS `frs_met`,
         SUM(`frs_met_base`) AS `frs_met_base`
  FROM `scoped`
  GROUP BY `business_line`, `local_month`
),
`rates` AS (
  SELECT `business_line`, `local_month`, `sessions`, `rated`, `complaints`, `repeat_visits`,
         `agent_sessions`, `fcr_sessions`, `frs_measured`, `frs_met`, `frs_met_base`,
         CAST(`satisfied` AS DOUBLE) / NULLIF(`rated`, 0) AS `csat`,
         CAST(`rated` AS DOUBLE) / NULLIF(`sessions`, 0) AS `response_rate`,
         CAST(`rating_sum` AS DOUBLE) / NULLIF(`rated`, 0) AS `avg_rating`,
         1.0 - CAST(`followed` AS DOUBLE) / NULLIF(`fcr_sessions`, 0) AS `fcr`,
         CAST(`followed` AS DOUBLE) / NULLIF(`fcr_sessions`, 0) AS `repeat_rate`,
         CAST(`fcr_sessions` AS DOUBLE) / NULLIF(`sessions`, 0) AS `fcr_coverage`,
         CAST(`complaints` AS DOUBLE) / NULLIF(`sessions`, 0) AS `complaint_rate`
  FROM `monthly`
),
`reviews` AS (
  SELECT `business_line`, `local_month`, `review_score` FROM `review_scores`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `local_month`, `review_score` FROM `review_scores`
),
`qa` AS (
  SELECT `business_line`, `local_month`,
         COUNT(`review_score`) AS `qa_reviews`,
         AVG(`review_score`) AS `qa_score`
  FROM `reviews`
  GROUP BY `business_line`, `local_month`
),
`replies` AS (
  SELECT `business_line`, `local_month`, `reply_met`, `reply_met_base` FROM `reply_events`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `local_month`, `reply_met`, `reply_met_base` FROM `reply_events`
),
`reply` AS (
  SELECT `business_line`, `local_month`,
         COUNT(*) AS `replies`,
         CAST(SUM(`reply_met`) AS DOUBLE) / NULLIF(COUNT(*), 0) AS `reply_sla`,
         CAST(SUM(`reply_met_base`) AS DOUBLE) / NULLIF(COUNT(*), 0) AS `reply_sla_base`
  FROM `replies`
  GROUP BY `business_line`, `local_month`
),
`hours` AS (
  SELECT `business_line`, SUM(`hours`) AS `agent_hours`
  FROM `agent_time`
  GROUP BY `business_line`
)
SELECT
  `cur`.`business_line`,
  `cur`.`sessions`,
  `cur`.`rated`,
  `cur`.`csat`,
  `cur`.`response_rate`,
  `cur`.`avg_rating`,
  `cur`.`fcr`,
  `cur`.`repeat_rate`,
  `p`.`fcr_complete`,
  `cur`.`fcr_coverage`,
  `cur`.`repeat_visits`,
  `cur`.`complaints`,
  `cur`.`complaint_rate`,
  `cur`.`agent_sessions`,
  `h`.`agent_hours`,
  CAST(`cur`.`agent_sessions` AS DOUBLE) / NULLIF(`h`.`agent_hours`, 0) AS `cph`,
  COALESCE(`q`.`qa_reviews`, 0) AS `qa_reviews`,
  `q`.`qa_score`,
  CAST(`cur`.`frs_met` AS DOUBLE) / NULLIF(`cur`.`frs_measured`, 0) AS `first_response_sla`,
  CAST(`cur`.`frs_met_base` AS DOUBLE) / NULLIF(`cur`.`frs_measured`, 0) AS `first_response_sla_base`,
  `r`.`replies`,
  `r`.`reply_sla`,
  `r`.`reply_sla_base`,
  `prev`.`csat` AS `prev_csat`,
  `prev`.`fcr` AS `prev_fcr`,
  `prev`.`complaint_rate` AS `prev_complaint_rate`
FROM `rates` AS `cur`
JOIN `period` AS `p` ON `cur`.`local_month` = `p`.`month`
LEFT JOIN `rates` AS `prev`
  ON `prev`.`business_line` = `cur`.`business_line` AND `prev`.`local_month` = `p`.`prev_month`
LEFT JOIN `qa` AS `q`
  ON `q`.`business_line` = `cur`.`business_line` AND `q`.`local_month` = `cur`.`local_month`
LEFT JOIN `reply` AS `r`
  ON `r`.`business_line` = `cur`.`business_line` AND `r`.`local_month` = `cur`.`local_month`
LEFT JOIN `hours` AS `h`
  ON `h`.`business_line` = `cur`.`business_line`
ORDER BY CASE WHEN `cur`.`business_line` = 'ALL' THEN 1 ELSE 0 END, `cur`.`business_line` NULLS LAST
