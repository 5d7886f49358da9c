-- Per table, the manifest's figures: rows read (in the job's window), rows
-- folded away (exact copies and superseded appeals), of which superseded,
-- rows rejected, and naive local times read as the earlier of two
-- instants. rows used = rows_read - duplicates - rejected.
WITH `checked` AS (
  SELECT 'sessions' AS `table_name`, `copies`, `reason`, FALSE AS `superseded` FROM `sessions_checked`
  UNION ALL
  SELECT 'reviews', `copies`, `reason`, FALSE FROM `reviews_checked`
  UNION ALL
  SELECT 'repeat_causes', `copies`, `reason`, FALSE FROM `repeat_causes_checked`
  UNION ALL
  SELECT 'messages', `copies`, `reason`, FALSE FROM `messages_checked`
  UNION ALL
  SELECT 'appeals', `copies`, `reason`, `superseded` FROM `appeals_checked`
  UNION ALL
  SELECT 'agent_hours', `copies`, `reason`, FALSE FROM `agent_hours_checked`
),
`counts` AS (
  SELECT `table_name`,
         SUM(`copies`) AS `rows_read`,
         SUM(`copies`) - COUNT(*) + SUM(CASE WHEN `superseded` THEN 1 ELSE 0 END) AS `duplicates`,
         SUM(CASE WHEN `superseded` THEN 1 ELSE 0 END) AS `superseded`,
         SUM(CASE WHEN `reason` IS NOT NULL THEN 1 ELSE 0 END) AS `rejected`
  FROM `checked`
  GROUP BY `table_name`
),
`ambiguous` AS (
  SELECT 'sessions' AS `table_name`, `ambiguous` FROM `sessions_read`
  UNION ALL
  SELECT 'reviews', `ambiguous` FROM `reviews_read`
  UNION ALL
  SELECT 'repeat_causes', `ambiguous` FROM `repeat_causes_read`
  UNION ALL
  SELECT 'messages', `ambiguous` FROM `messages_read`
  UNION ALL
  SELECT 'appeals', `ambiguous` FROM `appeals_read`
),
`ambiguous_counts` AS (
  SELECT `table_name`, SUM(CASE WHEN `ambiguous` THEN 1 ELSE 0 END) AS `ambiguous_local_times`
  FROM `ambiguous`
  GROUP BY `table_name`
)
SELECT `c`.`table_name`, CAST(`c`.`rows_read` AS BIGINT) AS `rows_read`,
       CAST(`c`.`duplicates` AS BIGINT) AS `duplicates`,
       CAST(`c`.`superseded` AS BIGINT) AS `superseded`,
       CAST(`c`.`rejected` AS BIGINT) AS `rejected`,
       CAST(COALESCE(`a`.`ambiguous_local_times`, 0) AS BIGINT) AS `ambiguous_local_times`
FROM `counts` AS `c`
LEFT JOIN `ambiguous_counts` AS `a` ON `a`.`table_name` = `c`.`table_name`
