-- First-response SLA per local day of the month, by line and for ALL
-- (src/metrics/sla.rs daily_first_response_sla): sessions with a first
-- response within the threshold in force (`met`) over sessions with a
-- first response (`n`).
WITH `timed` AS (
  SELECT `business_line`, `local_date`,
         CASE WHEN `first_response_s` <= `first_response_threshold_s` THEN 1 ELSE 0 END AS `met`
  FROM `sessions`
  WHERE `local_month` = ${month} AND `first_response_s` IS NOT NULL
),
`scoped` AS (
  SELECT `business_line`, `local_date`, `met` FROM `timed`
  UNION ALL
  SELECT 'ALL', `local_date`, `met` FROM `timed`
)
SELECT `business_line`, `local_date`, CAST(SUM(`met`) AS BIGINT) AS `met`, COUNT(*) AS `n`,
       CAST(SUM(`met`) AS DOUBLE) / NULLIF(CAST(COUNT(*) AS DOUBLE), 0) AS `sla`
FROM `scoped`
GROUP BY `business_line`, `local_date`
ORDER BY `business_line` NULLS LAST, `local_date` NULLS LAST
