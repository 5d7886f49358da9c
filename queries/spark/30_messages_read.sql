-- The month's messages (and one longest session past its end), read as
-- csqa reads them: blanks NULL, sent_at an instant (naive local times
-- through `zone_walls`).
SELECT
  CASE WHEN `b_session_id` THEN NULL ELSE `session_id` END AS `session_id`,
  `sent_at`,
  CASE WHEN `b_sender` THEN NULL ELSE `sender` END AS `sender`,
  `source_file`, `nonexistent`, `ambiguous`, `sent_at_wall`,
  `b_session_id` AS `blank_session_id`, `b_sender` AS `blank_sender`
FROM (
  SELECT `r`.*,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`session_id`) = '', FALSE) AS `b_session_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`sender`) = '', FALSE) AS `b_sender`,
         COALESCE(`r`.`sent_at_utc`, `r`.`sent_at_wall` - `z`.`offset_us`) AS `sent_at`,
         `r`.`sent_at_wall` IS NOT NULL AND `z`.`offset_us` IS NULL AS `nonexistent`,
         COALESCE(`z`.`ambiguous`, FALSE) AS `ambiguous`
  FROM `raw_messages` AS `r`
  LEFT JOIN `zone_walls` AS `z`
    ON `r`.`sent_at_wall` >= `z`.`from_wall_us` AND `r`.`sent_at_wall` < `z`.`to_wall_us`
) AS `resolved`
WHERE (`sent_at` >= ${messages_from_us} AND `sent_at` < ${messages_to_us})
   -- No instant: read when its local wall time (if any) lies within a day
   -- of the window, as csqa's reader narrows the file's own column first.
   OR (`sent_at` IS NULL
       AND (`sent_at_wall` IS NULL
            OR (`sent_at_wall` >= ${messages_from_wall_us} AND `sent_at_wall` < ${messages_to_wall_us})))
