-- Per line with sessions in the month, and ALL: does the line's own data
-- reach one FCR window past the month's end? `latest_us` is the line's
-- latest start among every used session read (the runner words it as
-- data_until); ALL is complete only when every line is, and its
-- `latest_us` is the latest start of any line (the pack's data_until).
WITH `latest` AS (
  SELECT `business_line`, MAX(`started_at`) AS `latest_us`
  FROM `sessions_checked`
  WHERE `reason` IS NULL
  GROUP BY `business_line`
),
`lines` AS (
  SELECT `l`.`business_line`, COALESCE(`l`.`latest_us` >= ${fcr_reach_us}, FALSE) AS `fcr_complete`,
         `l`.`latest_us`
  FROM `latest` AS `l`
  WHERE `l`.`business_line` IN (SELECT `business_line` FROM `sessions` WHERE `local_month` = ${month})
)
SELECT `business_line`, `fcr_complete`, `latest_us` FROM `lines`
UNION ALL
SELECT 'ALL', COALESCE(MIN(CASE WHEN `fcr_complete` THEN 1 ELSE 0 END) = 1, TRUE),
       (SELECT MAX(`latest_us`) FROM `latest`)
FROM `lines`
