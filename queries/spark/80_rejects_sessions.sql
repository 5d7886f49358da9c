-- Rejected sessions rows with their reason and file (timestamps as epoch µs):
-- written to the cluster's storage, not collected.
SELECT `session_id`, `customer_id`, `business_line`, `channel`, `category`, `agent_id`, `team`,
       `started_at`, `ended_at`, `first_response_s`, `rating`, `resolved`, `complaint`,
       `public_opinion`,
       `reason`, `source_file`
FROM `sessions_checked`
WHERE `reason` IS NOT NULL
