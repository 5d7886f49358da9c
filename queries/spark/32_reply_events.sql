-- Reply events of the month's sessions (src/metrics/sla.rs): among a
-- session's customer and agent messages in (sent_at, agent) order — at
-- equal times the customer's first — an agent message right after a
-- customer message answers the question opened by the first customer
-- message since the previous agent message (or the session's start). The
-- session's first answer is its first response, not a reply. Each event is
-- judged against the reply threshold in force when its session started
-- and against the base one.
WITH `m` AS (
  SELECT `c`.`session_id`, `c`.`sent_at` AS `t`, `c`.`sender` = 'agent' AS `agent`
  FROM `messages_checked` AS `c`
  WHERE `c`.`reason` IS NULL AND `c`.`sender` IN ('customer', 'agent')
    AND `c`.`session_id` IN (SELECT `session_id` FROM `sessions` WHERE `local_month` = ${month})
),
`ordered` AS (
  SELECT `m`.*,
         LAG(`agent`) OVER (PARTITION BY `session_id` ORDER BY `t` NULLS LAST, `agent` NULLS LAST) AS `prev_agent`
  FROM `m`
),
`opened` AS (
  SELECT `o`.*,
         MAX(CASE WHEN NOT `agent` AND (`prev_agent` IS NULL OR `prev_agent`) THEN `t` END) OVER (
           PARTITION BY `session_id` ORDER BY `t` NULLS LAST, `agent` NULLS LAST
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS `opened_at`
  FROM `ordered` AS `o`
),
`asked` AS (
  SELECT `p`.*,
         LAG(`opened_at`) OVER (PARTITION BY `session_id` ORDER BY `t` NULLS LAST, `agent` NULLS LAST) AS `asked_at`
  FROM `opened` AS `p`
),
`answers` AS (
  SELECT `session_id`, `t`, `asked_at`,
         ROW_NUMBER() OVER (PARTITION BY `session_id` ORDER BY `t` NULLS LAST) AS `nth`
  FROM `asked`
  WHERE `agent` AND `prev_agent` = FALSE
)
SELECT `s`.`session_id`, `s`.`business_line`, `s`.`agent_id`, `s`.`local_month`,
       CAST(`a`.`t` - `a`.`asked_at` AS DOUBLE) / CAST(1000000 AS DOUBLE) AS `reply_s`,
       CASE WHEN CAST(`a`.`t` - `a`.`asked_at` AS DOUBLE) / CAST(1000000 AS DOUBLE)
                 <= `s`.`reply_threshold_s` THEN 1 ELSE 0 END AS `reply_met`,
       CASE WHEN CAST(`a`.`t` - `a`.`asked_at` AS DOUBLE) / CAST(1000000 AS DOUBLE)
                 <= ${base_reply_s} THEN 1 ELSE 0 END AS `reply_met_base`
FROM `answers` AS `a`
JOIN `sessions` AS `s` ON `s`.`session_id` = `a`.`session_id`
WHERE `a`.`nth` > 1 AND `s`.`local_month` = ${month}
