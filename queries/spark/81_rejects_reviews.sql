-- Rejected reviews rows with their reason and file (timestamps as epoch µs):
-- written to the cluster's storage, not collected.
SELECT `review_id`, `session_id`, `reviewer_id`, `reviewed_at`, `module_id`, `score`,
       `calibration_round`, `scorecard_version`, `module_group`, `module_scope`, `scale_min`,
       `scale_max`, `weight`, `module_name`, `normalised`,
       `reason`, `source_file`
FROM `reviews_checked`
WHERE `reason` IS NOT NULL
