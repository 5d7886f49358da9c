-- Rejected messages rows with their reason and file (timestamps as epoch µs):
-- written to the cluster's storage, not collected.
SELECT `session_id`, `sent_at`, `sender`,
       `reason`, `source_file`
FROM `messages_checked`
WHERE `reason` IS NOT NULL
