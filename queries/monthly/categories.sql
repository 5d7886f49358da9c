-- The same metrics per business type (咨询分类) within each business line,
-- with last month's figures: where volume, repeats and complaints come from.
-- Sessions without a category are grouped as `(none)`, so that their QA and
-- last month's figures still join (NULL never equals NULL).
WITH `categorised` AS (
  SELECT `business_line`, COALESCE(`category`, '(none)') AS `category`, `local_month`,
         `rated`, `satisfied`, `followed_n`, `in_fcr`, `repeat_n`, `complaint_n`
  FROM `sessions`
),
`monthly` AS (
  SELECT `business_line`, `category`, `local_month`,
         COUNT(*) AS `sessions`,
         SUM(`rated`) AS `rated`,
         CAST(SUM(`satisfied`) AS DOUBLE) / NULLIF(SUM(`rated`), 0) AS `csat`,
         1.0 - CAST(SUM(`followed_n`) AS DOUBLE) / NULLIF(SUM(`in_fcr`), 0) AS `fcr`,
         CAST(SUM(`followed_n`) AS DOUBLE) / NULLIF(SUM(`in_fcr`), 0) AS `repeat_rate`,
         SUM(`repeat_n`) AS `repeat_visits`,
         SUM(`complaint_n`) AS `complaints`,
         CAST(SUM(`complaint_n`) AS DOUBLE) / NULLIF(COUNT(*), 0) AS `complaint_rate`
  FROM `categorised`
  GROUP BY `business_line`, `category`, `local_month`
),
`qa` AS (
  SELECT `business_line`, COALESCE(`category`, '(none)') AS `category`, `local_month`,
         COUNT(`review_score`) AS `qa_reviews`, AVG(`review_score`) AS `qa_score`
  FROM `review_scores`
  GROUP BY `business_line`, COALESCE(`category`, '(none)'), `local_month`
)
SELECT
  `cur`.`business_line`, `cur`.`category`, `cur`.`sessions`, `cur`.`rated`, `cur`.`csat`,
  `cur`.`fcr`, `cur`.`repeat_rate`, `cur`.`repeat_visits`, `cur`.`complaints`,
  `cur`.`complaint_rate`,
  COALESCE(`q`.`qa_reviews`, 0) AS `qa_reviews`, `q`.`qa_score`,
  `prev`.`sessions` AS `prev_sessions`, `prev`.`csat` AS `prev_csat`,
  `prev`.`fcr` AS `prev_fcr`, `prev`.`complaint_rate` AS `prev_complaint_rate`
FROM `monthly` AS `cur`
JOIN `period` AS `p` ON `cur`.`local_month` = `p`.`month`
LEFT JOIN `monthly` AS `prev`
  ON `prev`.`business_line` = `cur`.`business_line` AND `prev`.`category` = `cur`.`category`
 AND `prev`.`local_month` = `p`.`prev_month`
LEFT JOIN `qa` AS `q`
  ON `q`.`business_line` = `cur`.`business_line` AND `q`.`category` = `cur`.`category`
 AND `q`.`local_month` = `cur`.`local_month`
ORDER BY `cur`.`business_line` NULLS LAST, `cur`.`category` NULLS LAST
