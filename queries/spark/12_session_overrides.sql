-- The SLA overrides in force when each used session started: per
-- threshold the latest override (in standards.toml order) that sets it,
-- and the reason of the latest that applies at all. Only sessions some
-- override touches have a row.
WITH `hits` AS (
  SELECT `s`.`session_id`, `o`.`priority`, `o`.`reason`, `o`.`first_response_s`, `o`.`reply_s`
  FROM `sessions_checked` AS `s`
  JOIN `sla_overrides` AS `o`
    ON `s`.`started_at` >= `o`.`from_us` AND `s`.`started_at` < `o`.`to_us`
   AND (`o`.`business_line` IS NULL OR `o`.`business_line` = `s`.`business_line`)
  WHERE `s`.`reason` IS NULL
),
`latest` AS (
  SELECT `session_id`,
         MAX(`priority`) AS `any_p`,
         MAX(CASE WHEN `first_response_s` IS NOT NULL THEN `priority` END) AS `first_p`,
         MAX(CASE WHEN `reply_s` IS NOT NULL THEN `priority` END) AS `reply_p`
  FROM `hits`
  GROUP BY `session_id`
)
SELECT `l`.`session_id`, `a`.`reason` AS `sla_override`,
       `f`.`first_response_s` AS `first_response_s`, `r`.`reply_s` AS `reply_s`
FROM `latest` AS `l`
JOIN `hits` AS `a` ON `a`.`session_id` = `l`.`session_id` AND `a`.`priority` = `l`.`any_p`
LEFT JOIN `hits` AS `f` ON `f`.`session_id` = `l`.`session_id` AND `f`.`priority` = `l`.`first_p`
LEFT JOIN `hits` AS `r` ON `r`.`session_id` = `l`.`session_id` AND `r`.`priority` = `l`.`reply_p`
