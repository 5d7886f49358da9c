-- A review's QA score (src/metrics/qa.rs): 0 when a red-line module
-- failed (normalised 0), else 100 × the weighted mean of its normalised
-- module scores over the modules not N/A; NULL when every module was N/A.
-- One row per review of the two months' sessions, with the session's keys.
WITH `per_review` AS (
  SELECT `review_id`,
         MIN(`session_id`) AS `session_id`,
         MIN(`reviewer_id`) AS `reviewer_id`,
         MIN(`calibration_round`) AS `calibration_round`,
         MIN(`scorecard_version`) AS `scorecard_version`,
         MAX(CASE WHEN `module_group` = 'red_line' AND `normalised` = 0 THEN 1 ELSE 0 END) = 1
           AS `red_line_fail`,
         SUM(`normalised` * `weight`) AS `num`,
         SUM(CASE WHEN `normalised` IS NOT NULL THEN `weight` END) AS `den`
  FROM `reviews_checked`
  WHERE `reason` IS NULL
  GROUP BY `review_id`
)
SELECT `r`.`review_id`, `r`.`session_id`, `r`.`reviewer_id`, `r`.`calibration_round`,
       `r`.`scorecard_version`, `r`.`red_line_fail`,
       CASE WHEN `r`.`red_line_fail` THEN 0.0
            WHEN `r`.`den` > 0 THEN 100.0 * `r`.`num` / NULLIF(`r`.`den`, 0) END AS `review_score`,
       `s`.`business_line`, `s`.`agent_id`, `s`.`team`, `s`.`category`, `s`.`local_month`,
       `s`.`reply_threshold_s`
FROM `per_review` AS `r`
JOIN `sessions` AS `s` ON `s`.`session_id` = `r`.`session_id`
