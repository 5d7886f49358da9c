-- One row per distinct review row (exact copies folded, `copies` rows
-- read), under the scorecard version in force at reviewed_at with its
-- module's definition and the score normalised to 0..1, and the reason of
-- the first rule it breaks (src/validate.rs order): nonexistent local
-- time, null keys, conflicting duplicate (review_id and module_id shared
-- with a different row), no scorecard, unknown module, score off the
-- module's scale (not a whole step within it). `reason` NULL: used.
WITH `distinct_rows` AS (
  SELECT `review_id`, `session_id`, `reviewer_id`, `reviewed_at`, `module_id`, `score`,
         `calibration_round`,
         COUNT(*) AS `copies`,
         MIN(`source_file`) AS `source_file`,
         MAX(CASE WHEN `nonexistent` THEN 1 ELSE 0 END) = 1 AS `nonexistent`
  FROM `reviews_read`
  GROUP BY `review_id`, `session_id`, `reviewer_id`, `reviewed_at`, `module_id`, `score`,
           `calibration_round`
),
`versioned` AS (
  SELECT `d`.*, `v`.`scorecard_version`,
         CASE WHEN `d`.`review_id` IS NOT NULL AND `d`.`module_id` IS NOT NULL
              THEN COUNT(*) OVER (PARTITION BY `d`.`review_id`, `d`.`module_id`) ELSE 1 END
           AS `key_rows`
  FROM `distinct_rows` AS `d`
  LEFT JOIN `scorecard_versions` AS `v`
    ON `d`.`reviewed_at` >= `v`.`effective_from_us`
   AND (`v`.`effective_to_us` IS NULL OR `d`.`reviewed_at` < `v`.`effective_to_us`)
),
`defined` AS (
  SELECT `x`.*, `m`.`module_group`, `m`.`module_scope`, `m`.`scale_min`, `m`.`scale_max`,
         `m`.`weight`, `m`.`module_name`,
         (`x`.`score` - `m`.`scale_min`) / NULLIF(`m`.`scale_max` - `m`.`scale_min`, 0) AS `normalised`
  FROM `versioned` AS `x`
  LEFT JOIN `scorecard_modules` AS `m`
    ON `m`.`scorecard_version` = `x`.`scorecard_version` AND `m`.`module_id` = `x`.`module_id`
)
SELECT `review_id`, `session_id`, `reviewer_id`, `reviewed_at`, `module_id`, `score`,
       `calibration_round`, `scorecard_version`, `module_group`, `module_scope`, `scale_min`,
       `scale_max`, `weight`, `module_name`, `normalised`, `copies`, `source_file`,
       CASE
         WHEN `nonexistent` THEN 'nonexistent local time'
         WHEN `review_id` IS NULL THEN 'null review_id'
         WHEN `session_id` IS NULL THEN 'null session_id'
         WHEN `reviewer_id` IS NULL THEN 'null reviewer_id'
         WHEN `reviewed_at` IS NULL THEN 'null reviewed_at'
         WHEN `module_id` IS NULL THEN 'null module_id'
         WHEN `key_rows` > 1 THEN 'conflicting duplicate'
         WHEN `scorecard_version` IS NULL THEN 'no scorecard in force at reviewed_at'
         WHEN `scale_min` IS NULL THEN 'unknown module_id'
         -- NaN and infinities fail x - x = 0; a score between steps is
         -- not whole.
         WHEN NOT (`score` - `score` = 0) OR `score` < `scale_min` OR `score` > `scale_max`
              OR `score` <> FLOOR(`score`) THEN 'score off the module''s scale'
       END AS `reason`
FROM `defined`
