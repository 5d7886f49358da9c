-- Empty or whitespace-only strings read as NULL, per table and column,
-- over the rows read (the manifest's blanks_read_as_null); columns
-- without any are left out.
SELECT `table_name`, `column_name`, CAST(`rows` AS BIGINT) AS `rows`
FROM (
  SELECT 'sessions' AS `table_name`, 'session_id' AS `column_name`,
         SUM(CASE WHEN `blank_session_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'sessions' AS `table_name`, 'customer_id' AS `column_name`,
         SUM(CASE WHEN `blank_customer_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'sessions' AS `table_name`, 'business_line' AS `column_name`,
         SUM(CASE WHEN `blank_business_line` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'sessions' AS `table_name`, 'channel' AS `column_name`,
         SUM(CASE WHEN `blank_channel` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'sessions' AS `table_name`, 'category' AS `column_name`,
         SUM(CASE WHEN `blank_category` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'sessions' AS `table_name`, 'agent_id' AS `column_name`,
         SUM(CASE WHEN `blank_agent_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'sessions' AS `table_name`, 'team' AS `column_name`,
         SUM(CASE WHEN `blank_team` THEN 1 ELSE 0 END) AS `rows`
  FROM `sessions_read`
  UNION ALL
  SELECT 'reviews' AS `table_name`, 'review_id' AS `column_name`,
         SUM(CASE WHEN `blank_review_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `reviews_read`
  UNION ALL
  SELECT 'reviews' AS `table_name`, 'session_id' AS `column_name`,
         SUM(CASE WHEN `blank_session_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `reviews_read`
  UNION ALL
  SELECT 'reviews' AS `table_name`, 'reviewer_id' AS `column_name`,
         SUM(CASE WHEN `blank_reviewer_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `reviews_read`
  UNION ALL
  SELECT 'reviews' AS `table_name`, 'module_id' AS `column_name`,
         SUM(CASE WHEN `blank_module_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `reviews_read`
  UNION ALL
  SELECT 'reviews' AS `table_name`, 'calibration_round' AS `column_name`,
         SUM(CASE WHEN `blank_calibration_round` THEN 1 ELSE 0 END) AS `rows`
  FROM `reviews_read`
  UNION ALL
  SELECT 'repeat_causes' AS `table_name`, 'session_id' AS `column_name`,
         SUM(CASE WHEN `blank_session_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `repeat_causes_read`
  UNION ALL
  SELECT 'repeat_causes' AS `table_name`, 'cause' AS `column_name`,
         SUM(CASE WHEN `blank_cause` THEN 1 ELSE 0 END) AS `rows`
  FROM `repeat_causes_read`
  UNION ALL
  SELECT 'repeat_causes' AS `table_name`, 'noted_by' AS `column_name`,
         SUM(CASE WHEN `blank_noted_by` THEN 1 ELSE 0 END) AS `rows`
  FROM `repeat_causes_read`
  UNION ALL
  SELECT 'messages' AS `table_name`, 'session_id' AS `column_name`,
         SUM(CASE WHEN `blank_session_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `messages_read`
  UNION ALL
  SELECT 'messages' AS `table_name`, 'sender' AS `column_name`,
         SUM(CASE WHEN `blank_sender` THEN 1 ELSE 0 END) AS `rows`
  FROM `messages_read`
  UNION ALL
  SELECT 'appeals' AS `table_name`, 'review_id' AS `column_name`,
         SUM(CASE WHEN `blank_review_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `appeals_read`
  UNION ALL
  SELECT 'appeals' AS `table_name`, 'module_id' AS `column_name`,
         SUM(CASE WHEN `blank_module_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `appeals_read`
  UNION ALL
  SELECT 'appeals' AS `table_name`, 'outcome' AS `column_name`,
         SUM(CASE WHEN `blank_outcome` THEN 1 ELSE 0 END) AS `rows`
  FROM `appeals_read`
  UNION ALL
  SELECT 'agent_hours' AS `table_name`, 'agent_id' AS `column_name`,
         SUM(CASE WHEN `blank_agent_id` THEN 1 ELSE 0 END) AS `rows`
  FROM `agent_hours_read`
) AS `blanks`
WHERE `rows` > 0
