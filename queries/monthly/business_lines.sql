-- The monthly review's headline: one row per business line and one for ALL,
-- with the previous month's CSAT, FCR and complaint rate beside this month's.
-- Inputs are prepared by csqa: `sessions` carries local_month and 0/1
-- indicator columns (rated, satisfied, in_fcr, followed_n, complaint_n,
-- agent_handled, frs_measured, frs_met, frs_met_base); `period` has one row
-- (month, prev_month, fcr_complete); `fcr_lines` says per line (and ALL)
-- whether its data reaches one FCR window past the month's end; `agent_time`
-- has per line (and ALL) and agent the hours, the sessions CPH counts
-- (cph_sessions) and the agent-days with sessions but no hours logged.
-- ALL adds up the lines' counts and sums rather than the sessions a second
-- time: the same figures, without a copy of every row.
WITH `by_line` AS (
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
  FROM `sessions`
  GROUP BY `business_line`, `local_month`
),
`monthly` AS (
  SELECT `business_line`, `local_month`, `sessions`, `rated`, `satisfied`, `rating_sum`,
         `fcr_sessions`, `followed`, `repeat_visits`, `complaints`, `agent_sessions`,
         `frs_measured`, `frs_met`, `frs_met_base`
  FROM `by_line`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `local_month`,
         SUM(`sessions`) AS `sessions`,
         SUM(`rated`) AS `rated`,
         SUM(`satisfied`) AS `satisfied`,
         SUM(`rating_sum`) AS `rating_sum`,
         SUM(`fcr_sessions`) AS `fcr_sessions`,
         SUM(`followed`) AS `followed`,
         SUM(`repeat_visits`) AS `repeat_visits`,
         SUM(`complaints`) AS `complaints`,
         SUM(`agent_sessions`) AS `agent_sessions`,
         SUM(`frs_measured`) AS `frs_measured`,
         SUM(`frs_met`) AS `frs_met`,
         SUM(`frs_met_base`) AS `frs_met_base`
  FROM `by_line`
  GROUP BY `local_month`
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
`qa_by_line` AS (
  SELECT `business_line`, `local_month`,
         COUNT(`review_score`) AS `qa_reviews`,
         SUM(`review_score`) AS `score_sum`
  FROM `review_scores`
  GROUP BY `business_line`, `local_month`
),
`qa_sums` AS (
  SELECT `business_line`, `local_month`, `qa_reviews`, `score_sum` FROM `qa_by_line`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `local_month`,
         SUM(`qa_reviews`) AS `qa_reviews`, SUM(`score_sum`) AS `score_sum`
  FROM `qa_by_line`
  GROUP BY `local_month`
),
`qa` AS (
  SELECT `business_line`, `local_month`, `qa_reviews`,
         CAST(`score_sum` AS DOUBLE) / NULLIF(`qa_reviews`, 0) AS `qa_score`
  FROM `qa_sums`
),
`reply_by_line` AS (
  SELECT `business_line`, `local_month`,
         COUNT(*) AS `replies`,
         SUM(`reply_met`) AS `met`,
         SUM(`reply_met_base`) AS `met_base`
  FROM `reply_events`
  GROUP BY `business_line`, `local_month`
),
`reply_sums` AS (
  SELECT `business_line`, `local_month`, `replies`, `met`, `met_base` FROM `reply_by_line`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `local_month`,
         SUM(`replies`) AS `replies`, SUM(`met`) AS `met`, SUM(`met_base`) AS `met_base`
  FROM `reply_by_line`
  GROUP BY `local_month`
),
`reply` AS (
  SELECT `business_line`, `local_month`, `replies`,
         CAST(`met` AS DOUBLE) / NULLIF(`replies`, 0) AS `reply_sla`,
         CAST(`met_base` AS DOUBLE) / NULLIF(`replies`, 0) AS `reply_sla_base`
  FROM `reply_sums`
),
`hours` AS (
  SELECT `business_line`, SUM(`hours`) AS `agent_hours`,
         SUM(`cph_sessions`) AS `cph_sessions`,
         SUM(`days_without_hours`) AS `days_without_hours`,
         COUNT(`days_without_hours`) AS `days_known`
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
  `f`.`fcr_complete`,
  `cur`.`fcr_coverage`,
  `cur`.`repeat_visits`,
  `cur`.`complaints`,
  `cur`.`complaint_rate`,
  `cur`.`agent_sessions`,
  `h`.`cph_sessions`,
  CASE WHEN `h`.`days_known` > 0 THEN `h`.`days_without_hours` END AS `agent_days_without_hours`,
  `h`.`agent_hours`,
  CAST(`h`.`cph_sessions` AS DOUBLE) / NULLIF(`h`.`agent_hours`, 0) AS `cph`,
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
LEFT JOIN `fcr_lines` AS `f`
  ON `f`.`business_line` = `cur`.`business_line`
ORDER BY CASE WHEN `cur`.`business_line` = 'ALL' THEN 1 ELSE 0 END, `cur`.`business_line` NULLS LAST
