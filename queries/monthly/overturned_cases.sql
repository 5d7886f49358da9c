-- The month's overturned appeals, one row each: the cases the calibration
-- meeting studies when a rule needs clarifying (案例研究法).
SELECT
  `r`.`module_id`,
  `r`.`business_line`,
  `r`.`session_id`,
  `r`.`review_id`,
  `r`.`reviewer_id`,
  `r`.`agent_id`,
  `r`.`score`,
  `a`.`filed_at`,
  `a`.`decided_at`
FROM `appeals` AS `a`
JOIN `review_modules` AS `r`
  ON `r`.`review_id` = `a`.`review_id` AND `r`.`module_id` = `a`.`module_id`
JOIN `period` AS `p` ON `r`.`local_month` = `p`.`month`
WHERE `a`.`outcome` = 'overturned'
ORDER BY `r`.`module_id`, `r`.`business_line` NULLS LAST, `r`.`session_id`, `r`.`review_id`
