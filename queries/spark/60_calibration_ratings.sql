-- The calibration items of the month's sessions, what
-- src/metrics/calibration.rs needs (one row per calibration review row);
-- Rust computes agreement from them.
SELECT `calibration_round`, `session_id`, `business_line`, `module_id`, `reviewer_id`,
       `review_id`, `reviewed_at`, `score`,
       CAST(`scale_min` AS BIGINT) AS `scale_min`, CAST(`scale_max` AS BIGINT) AS `scale_max`
FROM `review_modules`
WHERE `local_month` = ${month} AND `calibration_round` IS NOT NULL
