-- Rejected repeat causes rows with their reason and file (timestamps as epoch µs):
-- written to the cluster's storage, not collected.
SELECT `session_id`, `cause`, `noted_by`, `noted_at`,
       `reason`, `source_file`
FROM `repeat_causes_checked`
WHERE `reason` IS NOT NULL
