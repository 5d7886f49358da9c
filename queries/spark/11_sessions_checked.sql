-- One row per distinct session row (exact copies folded; `copies` counts
-- the rows read) with the reason of the first contract rule it breaks, in
-- csqa's order (src/validate.rs): nonexistent local time, null keys,
-- conflicting duplicate (a session_id shared with a different row), then
-- the value rules. `reason` NULL: the row is used.
SELECT `d`.*,
       CASE
         WHEN `d`.`nonexistent` THEN 'nonexistent local time'
         WHEN `d`.`session_id` IS NULL THEN 'null session_id'
         WHEN `d`.`business_line` IS NULL THEN 'null business_line'
         WHEN `d`.`channel` IS NULL THEN 'null channel'
         WHEN `d`.`started_at` IS NULL THEN 'null started_at'
         WHEN `d`.`session_id` IS NOT NULL
              AND COUNT(*) OVER (PARTITION BY `d`.`session_id`) > 1 THEN 'conflicting duplicate'
         WHEN `d`.`business_line` = 'ALL' THEN 'business_line ALL is reserved for the total row'
         WHEN `d`.`rating` < 1 OR `d`.`rating` > ${scale_max} THEN 'rating out of range'
         WHEN `d`.`ended_at` < `d`.`started_at` THEN 'ended_at before started_at'
         -- In floating point, as csqa: far-apart instants must not overflow.
         WHEN CAST(`d`.`ended_at` AS DOUBLE) - CAST(`d`.`started_at` AS DOUBLE)
              > CAST(${max_session_us} AS DOUBLE) THEN 'ended_at beyond max_session_hours'
         -- x - x = 0 holds for every finite x, fails for NaN and ±infinity.
         WHEN NOT (`d`.`first_response_s` - `d`.`first_response_s` = 0)
              OR `d`.`first_response_s` < 0 THEN 'first_response_s negative or not finite'
       END AS `reason`
FROM (
  SELECT `session_id`, `customer_id`, `business_line`, `channel`, `category`, `agent_id`, `team`,
         `started_at`, `ended_at`, `first_response_s`, `rating`, `resolved`, `complaint`,
         `public_opinion`,
         COUNT(*) AS `copies`,
         MIN(`source_file`) AS `source_file`,
         MAX(CASE WHEN `nonexistent` THEN 1 ELSE 0 END) = 1 AS `nonexistent`
  FROM `sessions_read`
  GROUP BY `session_id`, `customer_id`, `business_line`, `channel`, `category`, `agent_id`,
           `team`, `started_at`, `ended_at`, `first_response_s`, `rating`, `resolved`,
           `complaint`, `public_opinion`
) AS `d`
