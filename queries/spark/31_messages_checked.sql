-- One row per distinct message (exact copies folded, `copies` rows read)
-- with the reason of the first rule it breaks: nonexistent local time,
-- null keys, unknown sender. Messages have no conflict key.
SELECT `d`.*,
       CASE
         WHEN `d`.`nonexistent` THEN 'nonexistent local time'
         WHEN `d`.`session_id` IS NULL THEN 'null session_id'
         WHEN `d`.`sent_at` IS NULL THEN 'null sent_at'
         WHEN `d`.`sender` IS NULL THEN 'null sender'
         WHEN `d`.`sender` NOT IN ('customer', 'agent', 'bot', 'system') THEN 'unknown sender'
       END AS `reason`
FROM (
  SELECT `session_id`, `sent_at`, `sender`,
         COUNT(*) AS `copies`,
         MIN(`source_file`) AS `source_file`,
         MAX(CASE WHEN `nonexistent` THEN 1 ELSE 0 END) = 1 AS `nonexistent`
  FROM `messages_read`
  GROUP BY `session_id`, `sent_at`, `sender`
) AS `d`
