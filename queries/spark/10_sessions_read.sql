-- Sessions of the read window, as csqa reads them: blank strings are NULL,
-- each timestamp is an instant (epoch µs UTC) — a naive local time through
-- `zone_walls`, where a time the clock skipped names no instant and one it
-- repeated reads as the earlier — and rows outside the window are not read
-- (a row without a start is, for the checks to reject it, when its local
-- wall time, if it has one, is within a day of the window).
SELECT `session_id`, `customer_id`, `business_line`, `channel`, `category`, `agent_id`, `team`,
       `started_at`, `ended_at`, `first_response_s`, `rating`, `resolved`, `complaint`,
       `public_opinion`, `source_file`, `nonexistent`, `ambiguous`, `started_at_wall`,
       `blank_session_id`, `blank_customer_id`, `blank_business_line`, `blank_channel`,
       `blank_category`, `blank_agent_id`, `blank_team`
FROM (
  SELECT
    CASE WHEN `b_session_id` THEN NULL ELSE `session_id` END AS `session_id`,
    CASE WHEN `b_customer_id` THEN NULL ELSE `customer_id` END AS `customer_id`,
    CASE WHEN `b_business_line` THEN NULL ELSE `business_line` END AS `business_line`,
    CASE WHEN `b_channel` THEN NULL ELSE `channel` END AS `channel`,
    CASE WHEN `b_category` THEN NULL ELSE `category` END AS `category`,
    CASE WHEN `b_agent_id` THEN NULL ELSE `agent_id` END AS `agent_id`,
    CASE WHEN `b_team` THEN NULL ELSE `team` END AS `team`,
    `started_at`, `ended_at`, `first_response_s`, `rating`, `resolved`, `complaint`,
    `public_opinion`, `source_file`, `nonexistent`, `ambiguous`, `started_at_wall`,
    `b_session_id` AS `blank_session_id`, `b_customer_id` AS `blank_customer_id`,
    `b_business_line` AS `blank_business_line`, `b_channel` AS `blank_channel`,
    `b_category` AS `blank_category`, `b_agent_id` AS `blank_agent_id`, `b_team` AS `blank_team`
  FROM (
    SELECT `r`.*,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`session_id`) = '', FALSE) AS `b_session_id`,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`customer_id`) = '', FALSE) AS `b_customer_id`,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`business_line`) = '', FALSE) AS `b_business_line`,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`channel`) = '', FALSE) AS `b_channel`,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`category`) = '', FALSE) AS `b_category`,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`agent_id`) = '', FALSE) AS `b_agent_id`,
           COALESCE(TRIM(BOTH ${whitespace} FROM `r`.`team`) = '', FALSE) AS `b_team`,
           COALESCE(`r`.`started_at_utc`, `r`.`started_at_wall` - `zs`.`offset_us`) AS `started_at`,
           COALESCE(`r`.`ended_at_utc`, `r`.`ended_at_wall` - `ze`.`offset_us`) AS `ended_at`,
           (`r`.`started_at_wall` IS NOT NULL AND `zs`.`offset_us` IS NULL)
             OR (`r`.`ended_at_wall` IS NOT NULL AND `ze`.`offset_us` IS NULL) AS `nonexistent`,
           COALESCE(`zs`.`ambiguous`, FALSE) OR COALESCE(`ze`.`ambiguous`, FALSE) AS `ambiguous`
    FROM `raw_sessions` AS `r`
    LEFT JOIN `zone_walls` AS `zs`
      ON `r`.`started_at_wall` >= `zs`.`from_wall_us` AND `r`.`started_at_wall` < `zs`.`to_wall_us`
    LEFT JOIN `zone_walls` AS `ze`
      ON `r`.`ended_at_wall` >= `ze`.`from_wall_us` AND `r`.`ended_at_wall` < `ze`.`to_wall_us`
  ) AS `resolved`
) AS `read`
WHERE (`started_at` >= ${sessions_from_us} AND `started_at` < ${sessions_to_us})
   -- No instant: read when its local wall time (if any) lies within a day
   -- of the window, as csqa's reader narrows the file's own column first.
   OR (`started_at` IS NULL
       AND (`started_at_wall` IS NULL
            OR (`started_at_wall` >= ${sessions_from_wall_us}
                AND `started_at_wall` < ${sessions_to_wall_us})))
