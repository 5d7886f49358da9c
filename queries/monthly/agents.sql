-- The same metrics per agent within each business line, with last month's
-- CSAT and FCR, for coaching. Sessions handled by no agent are left out.
-- CPH counts the sessions of days with hours logged (`agent_time`).
WITH `monthly` AS (
  SELECT `business_line`, `agent_id`, `local_month`,
         MAX(`team`) AS `team`,
         COUNT(*) AS `sessions`,
         SUM(`rated`) AS `rated`,
         CAST(SUM(`satisfied`) AS DOUBLE) / NULLIF(SUM(`rated`), 0) AS `csat`,
         1.0 - CAST(SUM(`followed_n`) AS DOUBLE) / NULLIF(SUM(`in_fcr`), 0) AS `fcr`,
         SUM(`complaint_n`) AS `complaints`,
         CAST(SUM(`complaint_n`) AS DOUBLE) / NULLIF(COUNT(*), 0) AS `complaint_rate`,
         CAST(SUM(`frs_met`) AS DOUBLE) / NULLIF(SUM(`frs_measured`), 0) AS `first_response_sla`
  FROM `sessions`
  WHERE `agent_id` IS NOT NULL
  GROUP BY `business_line`, `agent_id`, `local_month`
),
`qa` AS (
  SELECT `business_line`, `agent_id`, `local_month`,
         COUNT(`review_score`) AS `qa_reviews`, AVG(`review_score`) AS `qa_score`
  FROM `review_scores`
  GROUP BY `business_line`, `agent_id`, `local_month`
),
`reply` AS (
  SELECT `business_line`, `agent_id`, `local_month`,
         CAST(SUM(`reply_met`) AS DOUBLE) / NULLIF(COUNT(*), 0) AS `reply_sla`
  FROM `reply_events`
  GROUP BY `business_line`, `agent_id`, `local_month`
)
SELECT
  `cur`.`business_line`, `cur`.`agent_id`, `cur`.`team`, `cur`.`sessions`, `cur`.`rated`,
  `cur`.`csat`, `cur`.`fcr`, `cur`.`complaints`, `cur`.`complaint_rate`,
  COALESCE(`q`.`qa_reviews`, 0) AS `qa_reviews`, `q`.`qa_score`,
  `cur`.`first_response_sla`, `r`.`reply_sla`,
  `t`.`cph_sessions`, `t`.`days_without_hours`,
  `t`.`hours` AS `agent_hours`,
  CAST(`t`.`cph_sessions` AS DOUBLE) / NULLIF(`t`.`hours`, 0) AS `cph`,
  `prev`.`csat` AS `prev_csat`, `prev`.`fcr` AS `prev_fcr`
FROM `monthly` AS `cur`
JOIN `period` AS `p` ON `cur`.`local_month` = `p`.`month`
LEFT JOIN `monthly` AS `prev`
  ON `prev`.`business_line` = `cur`.`business_line` AND `prev`.`agent_id` = `cur`.`agent_id`
 AND `prev`.`local_month` = `p`.`prev_month`
LEFT JOIN `qa` AS `q`
  ON `q`.`business_line` = `cur`.`business_line` AND `q`.`agent_id` = `cur`.`agent_id`
 AND `q`.`local_month` = `cur`.`local_month`
LEFT JOIN `reply` AS `r`
  ON `r`.`business_line` = `cur`.`business_line` AND `r`.`agent_id` = `cur`.`agent_id`
 AND `r`.`local_month` = `cur`.`local_month`
LEFT JOIN `agent_time` AS `t`
  ON `t`.`business_line` = `cur`.`business_line` AND `t`.`agent_id` = `cur`.`agent_id`
ORDER BY `cur`.`business_line` NULLS LAST, `cur`.`agent_id` NULLS LAST
