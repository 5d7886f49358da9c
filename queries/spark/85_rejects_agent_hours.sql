-- Rejected agent hours rows with their reason and file (timestamps as epoch µs):
-- written to the cluster's storage, not collected.
SELECT `agent_id`, `date`, `logged_in_hours`,
       `reason`, `source_file`
FROM `agent_hours_checked`
WHERE `reason` IS NOT NULL
