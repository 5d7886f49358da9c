-- Review rows from the previous month's start on (a review comes after its
-- session, however late), read as csqa reads them: blanks NULL, reviewed_at
-- an instant (naive local times through `zone_walls`).
SELECT
  CASE WHEN `b_review_id` THEN NULL ELSE `review_id` END AS `review_id`,
  CASE WHEN `b_session_id` THEN NULL ELSE `session_id` END AS `session_id`,
  CASE WHEN `b_reviewer_id` THEN NULL ELSE `reviewer_id` END AS `reviewer_id`,
  `reviewed_at`,
  CASE WHEN `b_module_id` THEN NULL ELSE `module_id` END AS `module_id`,
  `score`,
  CASE WHEN `b_calibration_round` THEN NULL ELSE `calibration_round` END AS `calibration_round`,
  `source_file`, `nonexistent`, `ambiguous`, `reviewed_at_wall`,
  `b_review_id` AS `blank_review_id`, `b_session_id` AS `blank_session_id`,
  `b_reviewer_id` AS `blank_reviewer_id`, `b_module_id` AS `blank_module_id`,
  `b_calibration_round` AS `blank_calibration_round`
FROM (
  SELECT `r`.*,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`review_id`) = '', FALSE) AS `b_review_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`session_id`) = '', FALSE) AS `b_session_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`reviewer_id`) = '', FALSE) AS `b_reviewer_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`module_id`) = '', FALSE) AS `b_module_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`calibration_round`) = '', FALSE)
           AS `b_calibration_round`,
         COALESCE(`r`.`reviewed_at_utc`, `r`.`reviewed_at_wall` - `z`.`offset_us`) AS `reviewed_at`,
         `r`.`reviewed_at_wall` IS NOT NULL AND `z`.`offset_us` IS NULL AS `nonexistent`,
         COALESCE(`z`.`ambiguous`, FALSE) AS `ambiguous`
  FROM `raw_reviews` AS `r`
  LEFT JOIN `zone_walls` AS `z`
    ON `r`.`reviewed_at_wall` >= `z`.`from_wall_us` AND `r`.`reviewed_at_wall` < `z`.`to_wall_us`
) AS `resolved`
WHERE `reviewed_at` >= ${reviews_from_us}
   -- No instant: read when its local wall time (if any) is at most a day
   -- before the window, as csqa's reader narrows the file's own column.
   OR (`reviewed_at` IS NULL
       AND (`reviewed_at_wall` IS NULL OR `reviewed_at_wall` >= ${reviews_from_wall_us}))
