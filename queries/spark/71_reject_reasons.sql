-- Rejected rows per table and reason (the manifest's rejected_by_reason).
WITH `rejected` AS (
  SELECT 'sessions' AS `table_name`, `reason` FROM `sessions_checked`
  UNION ALL
  SELECT 'reviews', `reason` FROM `reviews_checked`
  UNION ALL
  SELECT 'repeat_causes', `reason` FROM `repeat_causes_checked`
  UNION ALL
  SELECT 'messages', `reason` FROM `messages_checked`
  UNION ALL
  SELECT 'appeals', `reason` FROM `appeals_checked`
  UNION ALL
  SELECT 'agent_hours', `reason` FROM `agent_hours_checked`
)
SELECT `table_name`, `reason`, COUNT(*) AS `rows`
FROM `rejected`
WHERE `reason` IS NOT NULL
GROUP BY `table_name`, `reason`
