-- Appeals (申诉) by module, per business line and for ALL: the case-study
-- input of the standard-iteration review. `review_modules` holds the module
-- scores of reviews of the period's sessions (with the session's line and
-- month); appeal_rate = appeals / reviews that scored the module (N/A left
-- out); overturn_rate = overturned / decided (pending appeals left out).
WITH `scored` AS (
  SELECT `r`.`business_line`, `r`.`module_id`, COUNT(*) AS `reviews`
  FROM `review_modules` AS `r`
  JOIN `period` AS `p` ON `r`.`local_month` = `p`.`month`
  WHERE `r`.`score` IS NOT NULL
  GROUP BY `r`.`business_line`, `r`.`module_id`
),
`appealed` AS (
  SELECT `r`.`business_line`, `r`.`module_id`, `a`.`outcome`
  FROM `appeals` AS `a`
  JOIN `review_modules` AS `r`
    ON `r`.`review_id` = `a`.`review_id` AND `r`.`module_id` = `a`.`module_id`
  JOIN `period` AS `p` ON `r`.`local_month` = `p`.`month`
),
`scoped_scored` AS (
  SELECT `business_line`, `module_id`, `reviews` FROM `scored`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `module_id`, `reviews` FROM `scored`
),
`scoped_appeals` AS (
  SELECT `business_line`, `module_id`, `outcome` FROM `appealed`
  UNION ALL
  SELECT 'ALL' AS `business_line`, `module_id`, `outcome` FROM `appealed`
),
`reviews` AS (
  SELECT `business_line`, `module_id`, SUM(`reviews`) AS `reviews`
  FROM `scoped_scored`
  GROUP BY `business_line`, `module_id`
),
`outcomes` AS (
  SELECT `business_line`, `module_id`,
         COUNT(*) AS `appeals`,
         SUM(CASE WHEN `outcome` = 'overturned' THEN 1 ELSE 0 END) AS `overturned`,
         SUM(CASE WHEN `outcome` = 'upheld' THEN 1 ELSE 0 END) AS `upheld`,
         SUM(CASE WHEN `outcome` = 'pending' THEN 1 ELSE 0 END) AS `pending`
  FROM `scoped_appeals`
  GROUP BY `business_line`, `module_id`
)
SELECT
  `r`.`business_line`,
  `r`.`module_id`,
  `r`.`reviews`,
  COALESCE(`o`.`appeals`, 0) AS `appeals`,
  CAST(COALESCE(`o`.`appeals`, 0) AS DOUBLE) / NULLIF(`r`.`reviews`, 0) AS `appeal_rate`,
  COALESCE(`o`.`overturned`, 0) AS `overturned`,
  COALESCE(`o`.`upheld`, 0) AS `upheld`,
  COALESCE(`o`.`pending`, 0) AS `pending`,
  CAST(`o`.`overturned` AS DOUBLE) / NULLIF(`o`.`overturned` + `o`.`upheld`, 0) AS `overturn_rate`
FROM `reviews` AS `r`
LEFT JOIN `outcomes` AS `o`
  ON `o`.`business_line` = `r`.`business_line` AND `o`.`module_id` = `r`.`module_id`
ORDER BY CASE WHEN `r`.`business_line` = 'ALL' THEN 1 ELSE 0 END, `r`.`business_line` NULLS LAST, `r`.`module_id`
