-- Rejected appeals rows with their reason and file (timestamps as epoch µs):
-- written to the cluster's storage, not collected.
SELECT `review_id`, `module_id`, `filed_at`, `outcome`, `decided_at`,
       `reason`, `source_file`
FROM `appeals_checked`
WHERE `reason` IS NOT NULL
