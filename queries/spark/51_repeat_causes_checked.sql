-- One row per distinct cause note (exact copies folded, `copies` rows
-- read) with the reason of the first rule it breaks: nonexistent local
-- time, null keys. Cause notes have no conflict key.
SELECT `d`.*,
       CASE
         WHEN `d`.`nonexistent` THEN 'nonexistent local time'
         WHEN `d`.`session_id` IS NULL THEN 'null session_id'
         WHEN `d`.`cause` IS NULL THEN 'null cause'
       END AS `reason`
FROM (
  SELECT `session_id`, `cause`, `noted_by`, `noted_at`,
         COUNT(*) AS `copies`,
         MIN(`source_file`) AS `source_file`,
         MAX(CASE WHEN `nonexistent` THEN 1 ELSE 0 END) = 1 AS `nonexistent`
  FROM `repeat_causes_read`
  GROUP BY `session_id`, `cause`, `noted_by`, `noted_at`
) AS `d`
