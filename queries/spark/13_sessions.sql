-- The used sessions of the previous month and the month, enriched as
-- csqa's `sessions` table: FCR flags over every used session read (so the
-- look-ahead past the month's end and the sessions before it count), the
-- local calendar (`zone_offsets`, then `calendar_days`, which holds exactly
-- the two months' days), the SLA thresholds in force and the 0/1 columns
-- the pack's SQL sums.
--
-- FCR (src/metrics/fcr.rs): sessions of one key (the customer, or the
-- customer and line) in (started_at, session_id) order. A session is
-- followed when the next starts within the window of its anchor (ended_at,
-- else started_at); a repeat visit when it starts within the window of the
-- latest anchor before it, and `repeat_of` is the session holding that
-- anchor (the later one on equal anchors). Anonymous sessions are neither.
WITH `used` AS (
  SELECT `session_id`, `customer_id`, `business_line`, `channel`, `category`, `agent_id`, `team`,
         `started_at`, `ended_at`, `first_response_s`, `rating`, `resolved`, `complaint`,
         `public_opinion`,
         COALESCE(`ended_at`, `started_at`) AS `anchor`,
         CASE WHEN ${fcr_by_line} THEN `business_line` END AS `fcr_line`
  FROM `sessions_checked`
  WHERE `reason` IS NULL
),
`ordered` AS (
  SELECT `u`.*,
         LEAD(`started_at`) OVER (
           PARTITION BY `customer_id`, `fcr_line` ORDER BY `started_at` NULLS LAST, `session_id` NULLS LAST) AS `next_start`,
         MAX(`anchor`) OVER (
           PARTITION BY `customer_id`, `fcr_line` ORDER BY `started_at` NULLS LAST, `session_id` NULLS LAST
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS `latest_before`
  FROM `used` AS `u`
),
`held` AS (
  SELECT `o`.*,
         LAST_VALUE(CASE WHEN `latest_before` IS NULL OR `anchor` >= `latest_before`
                         THEN `session_id` END) IGNORE NULLS OVER (
           PARTITION BY `customer_id`, `fcr_line` ORDER BY `started_at` NULLS LAST, `session_id` NULLS LAST
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS `holder`
  FROM `ordered` AS `o`
),
`flagged` AS (
  SELECT `h`.*,
         CASE WHEN `customer_id` IS NOT NULL
              THEN COALESCE(`next_start` <= `anchor` + ${fcr_window_us}, FALSE) END AS `followed`,
         `customer_id` IS NOT NULL
           AND COALESCE(`started_at` <= `latest_before` + ${fcr_window_us}, FALSE) AS `is_repeat`
  FROM `held` AS `h`
),
`local` AS (
  SELECT `f`.*, `f`.`started_at` + `z`.`offset_us` AS `local_us`,
         CAST(FLOOR(CAST(`f`.`started_at` + `z`.`offset_us` AS DOUBLE) / 86400000000.0) AS BIGINT)
           AS `local_day`
  FROM `flagged` AS `f`
  JOIN `zone_offsets` AS `z` ON `f`.`started_at` >= `z`.`from_us` AND `f`.`started_at` < `z`.`to_us`
),
`enriched` AS (
  SELECT `l`.`session_id`, `l`.`customer_id`, `l`.`business_line`, `l`.`channel`, `l`.`category`,
         `l`.`agent_id`, `l`.`team`, `l`.`started_at`, `l`.`ended_at`, `l`.`first_response_s`,
         `l`.`rating`, `l`.`resolved`, `l`.`complaint`, `l`.`public_opinion`,
         `c`.`local_month`, `c`.`local_date`,
         CAST(FLOOR(CAST(`l`.`local_us` - `l`.`local_day` * 86400000000 AS DOUBLE) / 3600000000.0)
              AS INT) AS `local_hour`,
         `l`.`followed`, `l`.`is_repeat`,
         CASE WHEN `l`.`is_repeat` THEN `l`.`holder` END AS `repeat_of`,
         COALESCE(`o`.`first_response_s`, ${base_first_response_s}) AS `first_response_threshold_s`,
         COALESCE(`o`.`reply_s`, ${base_reply_s}) AS `reply_threshold_s`,
         `o`.`sla_override`
  FROM `local` AS `l`
  JOIN `calendar_days` AS `c` ON `c`.`day` = `l`.`local_day`
  LEFT JOIN `session_overrides` AS `o` ON `o`.`session_id` = `l`.`session_id`
)
SELECT `e`.*,
       CASE WHEN `rating` IS NOT NULL THEN 1 ELSE 0 END AS `rated`,
       CASE WHEN `rating` >= ${satisfied_min} THEN 1 ELSE 0 END AS `satisfied`,
       CASE WHEN `customer_id` IS NOT NULL THEN 1 ELSE 0 END AS `in_fcr`,
       CASE WHEN `followed` THEN 1 ELSE 0 END AS `followed_n`,
       CASE WHEN `is_repeat` THEN 1 ELSE 0 END AS `repeat_n`,
       CASE WHEN `complaint` THEN 1 ELSE 0 END AS `complaint_n`,
       CASE WHEN `public_opinion` THEN 1 ELSE 0 END AS `public_opinion_n`,
       CASE WHEN `agent_id` IS NOT NULL THEN 1 ELSE 0 END AS `agent_handled`,
       CASE WHEN `first_response_s` IS NOT NULL THEN 1 ELSE 0 END AS `frs_measured`,
       CASE WHEN `first_response_s` <= `first_response_threshold_s` THEN 1 ELSE 0 END AS `frs_met`,
       CASE WHEN `first_response_s` <= ${base_first_response_s} THEN 1 ELSE 0 END AS `frs_met_base`
FROM `enriched` AS `e`
