-- Why customers came back: the month's repeat visits (72 h rule) by recorded
-- cause, in Pareto order per business line and for ALL. A repeat visit with
-- no recorded cause counts as `unclassified`; a visit with two causes counts
-- under both, so shares are of cause notes and the cumulative share ends at 1.
WITH `visits` AS (
  SELECT `s`.`business_line`, `s`.`session_id`
  FROM `sessions` AS `s`
  JOIN `period` AS `p` ON `s`.`local_month` = `p`.`month`
  WHERE `s`.`repeat_n` = 1
),
`classified` AS (
  SELECT `v`.`business_line`, `v`.`session_id`, COALESCE(`c`.`cause`, 'unclassified') AS `cause`
  FROM `visits` AS `v`
  LEFT JOIN (SELECT DISTINCT `session_id`, `cause` FROM `repeat_causes`) AS `c`
    ON `c`.`session_id` = `v`.`session_id`
),
`scoped` AS (
  SELECT `business_line`, `session_id`, `cause` FROM `classified`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `session_id`, `cause` FROM `classified`
),
`counts` AS (
  SELECT `business_line`, `cause`, COUNT(*) AS `repeats`
  FROM `scoped`
  GROUP BY `business_line`, `cause`
),
`totals` AS (
  SELECT `business_line`, SUM(`repeats`) AS `notes`
  FROM `counts`
  GROUP BY `business_line`
),
`ranked` AS (
  SELECT `c`.`business_line`, `c`.`cause`, `c`.`repeats`,
         CAST(`c`.`repeats` AS DOUBLE) / NULLIF(`t`.`notes`, 0) AS `share`,
         ROW_NUMBER() OVER (PARTITION BY `c`.`business_line` ORDER BY 0 - `c`.`repeats`, `c`.`cause`) AS `rank`
  FROM `counts` AS `c`
  JOIN `totals` AS `t` ON `t`.`business_line` = `c`.`business_line`
)
SELECT
  `r`.`business_line`,
  `r`.`cause`,
  COALESCE(`l`.`label`, `r`.`cause`) AS `label`,
  `r`.`repeats`,
  `r`.`share`,
  SUM(`r`.`share`) OVER (PARTITION BY `r`.`business_line` ORDER BY `r`.`rank`) AS `cumulative_share`,
  `r`.`rank`
FROM `ranked` AS `r`
LEFT JOIN `cause_labels` AS `l` ON `l`.`cause` = `r`.`cause`
ORDER BY CASE WHEN `r`.`business_line` = 'ALL' THEN 1 ELSE 0 END, `r`.`business_line` NULLS LAST, `r`.`rank`
