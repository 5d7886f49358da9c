-- Agent hours of the local dates the job reads (the previous month's first
-- day to the next month's first day), blanks NULL. Dates are plain dates:
-- no zone applies.
SELECT
  CASE WHEN `b_agent_id` THEN NULL ELSE `agent_id` END AS `agent_id`,
  `date`, `logged_in_hours`, `source_file`,
  FALSE AS `nonexistent`, FALSE AS `ambiguous`,
  `b_agent_id` AS `blank_agent_id`
FROM (
  SELECT `r`.*,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`agent_id`) = '', FALSE) AS `b_agent_id`
  FROM `raw_agent_hours` AS `r`
) AS `resolved`
WHERE `date` IS NULL OR (`date` >= ${hours_from} AND `date` < ${hours_to})
