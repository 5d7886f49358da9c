-- Every repeat-cause note (the pack joins them to the month's repeat
-- visits, whenever noted), read as csqa reads them: blanks NULL, noted_at
-- an instant (naive local times through `zone_walls`).
SELECT
  CASE WHEN `b_session_id` THEN NULL ELSE `session_id` END AS `session_id`,
  CASE WHEN `b_cause` THEN NULL ELSE `cause` END AS `cause`,
  CASE WHEN `b_noted_by` THEN NULL ELSE `noted_by` END AS `noted_by`,
  `noted_at`, `source_file`, `nonexistent`, `ambiguous`,
  `b_session_id` AS `blank_session_id`, `b_cause` AS `blank_cause`, `b_noted_by` AS `blank_noted_by`
FROM (
  SELECT `r`.*,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`session_id`) = '', FALSE) AS `b_session_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`cause`) = '', FALSE) AS `b_cause`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`noted_by`) = '', FALSE) AS `b_noted_by`,
         COALESCE(`r`.`noted_at_utc`, `r`.`noted_at_wall` - `z`.`offset_us`) AS `noted_at`,
         `r`.`noted_at_wall` IS NOT NULL AND `z`.`offset_us` IS NULL AS `nonexistent`,
         COALESCE(`z`.`ambiguous`, FALSE) AS `ambiguous`
  FROM `raw_repeat_causes` AS `r`
  LEFT JOIN `zone_walls` AS `z`
    ON `r`.`noted_at_wall` >= `z`.`from_wall_us` AND `r`.`noted_at_wall` < `z`.`to_wall_us`
) AS `resolved`
