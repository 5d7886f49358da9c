-- Appeals filed from the previous month's start on, read as csqa reads
-- them: blanks NULL, filed_at and decided_at instants (naive local times
-- through `zone_walls`).
SELECT
  CASE WHEN `b_review_id` THEN NULL ELSE `review_id` END AS `review_id`,
  CASE WHEN `b_module_id` THEN NULL ELSE `module_id` END AS `module_id`,
  `filed_at`,
  CASE WHEN `b_outcome` THEN NULL ELSE `outcome` END AS `outcome`,
  `decided_at`, `source_file`, `nonexistent`, `ambiguous`, `filed_at_wall`,
  `b_review_id` AS `blank_review_id`, `b_module_id` AS `blank_module_id`,
  `b_outcome` AS `blank_outcome`
FROM (
  SELECT `r`.*,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`review_id`) = '', FALSE) AS `b_review_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`module_id`) = '', FALSE) AS `b_module_id`,
         COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`outcome`) = '', FALSE) AS `b_outcome`,
         COALESCE(`r`.`filed_at_utc`, `r`.`filed_at_wall` - `zf`.`offset_us`) AS `filed_at`,
         COALESCE(`r`.`decided_at_utc`, `r`.`decided_at_wall` - `zd`.`offset_us`) AS `decided_at`,
         (`r`.`filed_at_wall` IS NOT NULL AND `zf`.`offset_us` IS NULL)
           OR (`r`.`decided_at_wall` IS NOT NULL AND `zd`.`offset_us` IS NULL) AS `nonexistent`,
         COALESCE(`zf`.`ambiguous`, FALSE) OR COALESCE(`zd`.`ambiguous`, FALSE) AS `ambiguous`
  FROM `raw_appeals` AS `r`
  LEFT JOIN `zone_walls` AS `zf`
    ON `r`.`filed_at_wall` >= `zf`.`from_wall_us` AND `r`.`filed_at_wall` < `zf`.`to_wall_us`
  LEFT JOIN `zone_walls` AS `zd`
    ON `r`.`decided_at_wall` >= `zd`.`from_wall_us` AND `r`.`decided_at_wall` < `zd`.`to_wall_us`
) AS `resolved`
WHERE `filed_at` >= ${reviews_from_us}
   -- No instant: read when its local wall time (if any) is at most a day
   -- before the window, as csqa's reader narrows the file's own column.
   OR (`filed_at` IS NULL
       AND (`filed_at_wall` IS NULL OR `filed_at_wall` >= ${reviews_from_wall_us}))
