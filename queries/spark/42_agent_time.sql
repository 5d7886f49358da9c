-- Agent time per line (and ALL) and agent for the month (src/jobs/monthly.rs
-- agent_time): hours, cph_sessions (the sessions CPH counts) and
-- days_without_hours.
--
-- With agent_hours (${has_agent_hours}): a day's logged hours are split
-- across lines in proportion to the agent's sessions of each line that
-- day; the hours of a day without sessions follow the agent's sessions of
-- the month across lines; ALL has every logged hour. CPH counts the
-- sessions of agent-days with hours logged.
-- Without agent_hours: hours are the distinct (local date, hour) in which
-- the agent started a session of the line (of any line for ALL), every
-- agent-handled session counts, and days_without_hours is NULL.
WITH `worked` AS (
  SELECT `business_line`, `agent_id`, `local_date`, `local_hour`
  FROM `sessions`
  WHERE `local_month` = ${month} AND `agent_id` IS NOT NULL
),
`logged` AS (
  SELECT `agent_id`, `date` AS `local_date`, SUM(`logged_in_hours`) AS `day_hours`
  FROM `agent_hours_checked`
  WHERE `reason` IS NULL AND `date` >= ${first_day} AND `date` < ${next_first_day}
  GROUP BY `agent_id`, `date`
),
`line_days` AS (
  SELECT `business_line`, `agent_id`, `local_date`, COUNT(*) AS `n`
  FROM `worked`
  GROUP BY `business_line`, `agent_id`, `local_date`
),
`days` AS (
  SELECT `d`.`agent_id`, `d`.`local_date`, `d`.`day_n`, `l`.`day_hours`,
         COALESCE(`l`.`day_hours`, 0) > 0 AS `has_hours`
  FROM (SELECT `agent_id`, `local_date`, SUM(`n`) AS `day_n`
        FROM `line_days` GROUP BY `agent_id`, `local_date`) AS `d`
  LEFT JOIN `logged` AS `l` ON `l`.`agent_id` = `d`.`agent_id` AND `l`.`local_date` = `d`.`local_date`
),
`idle` AS (
  SELECT `l`.`agent_id`, SUM(`l`.`day_hours`) AS `idle_hours`
  FROM `logged` AS `l`
  LEFT JOIN `days` AS `d` ON `d`.`agent_id` = `l`.`agent_id` AND `d`.`local_date` = `l`.`local_date`
  WHERE `d`.`day_n` IS NULL
  GROUP BY `l`.`agent_id`
),
`line_n` AS (
  SELECT `business_line`, `agent_id`, SUM(`n`) AS `line_n` FROM `line_days`
  GROUP BY `business_line`, `agent_id`
),
`agent_n` AS (SELECT `agent_id`, SUM(`n`) AS `agent_n` FROM `line_days` GROUP BY `agent_id`),
`logged_parts` AS (
  SELECT `ld`.`business_line`, `ld`.`agent_id`,
         COALESCE(`d`.`day_hours`, 0) * CAST(`ld`.`n` AS DOUBLE)
           / NULLIF(CAST(`d`.`day_n` AS DOUBLE), 0) AS `hours`,
         CASE WHEN `d`.`has_hours` THEN `ld`.`n` ELSE 0 END AS `cph_sessions`,
         CASE WHEN `d`.`has_hours` THEN 0 ELSE 1 END AS `days_without_hours`
  FROM `line_days` AS `ld`
  JOIN `days` AS `d` ON `d`.`agent_id` = `ld`.`agent_id` AND `d`.`local_date` = `ld`.`local_date`
  UNION ALL
  SELECT `ln`.`business_line`, `ln`.`agent_id`,
         `i`.`idle_hours` * CAST(`ln`.`line_n` AS DOUBLE) / NULLIF(CAST(`a`.`agent_n` AS DOUBLE), 0),
         0, 0
  FROM `line_n` AS `ln`
  JOIN `agent_n` AS `a` ON `a`.`agent_id` = `ln`.`agent_id`
  JOIN `idle` AS `i` ON `i`.`agent_id` = `ln`.`agent_id`
  UNION ALL
  SELECT 'ALL', `agent_id`, `day_hours`, 0, 0 FROM `logged`
  UNION ALL
  SELECT 'ALL', `agent_id`, CAST(0 AS DOUBLE), CASE WHEN `has_hours` THEN `day_n` ELSE 0 END,
         CASE WHEN `has_hours` THEN 0 ELSE 1 END
  FROM `days`
),
`with_hours` AS (
  SELECT `business_line`, `agent_id`, SUM(`hours`) AS `hours`,
         CAST(SUM(`cph_sessions`) AS BIGINT) AS `cph_sessions`,
         CAST(SUM(`days_without_hours`) AS BIGINT) AS `days_without_hours`
  FROM `logged_parts`
  GROUP BY `business_line`, `agent_id`
),
`scoped` AS (
  SELECT `business_line`, `agent_id`, `local_date`, `local_hour` FROM `worked`
  UNION ALL
  SELECT 'ALL', `agent_id`, `local_date`, `local_hour` FROM `worked`
),
`without_hours` AS (
  SELECT `h`.`business_line`, `h`.`agent_id`, CAST(`h`.`hours` AS DOUBLE) AS `hours`,
         `n`.`sessions` AS `cph_sessions`, CAST(NULL AS BIGINT) AS `days_without_hours`
  FROM (SELECT `business_line`, `agent_id`, COUNT(*) AS `hours`
        FROM (SELECT DISTINCT `business_line`, `agent_id`, `local_date`, `local_hour` FROM `scoped`) AS `u`
        GROUP BY `business_line`, `agent_id`) AS `h`
  JOIN (SELECT `business_line`, `agent_id`, COUNT(*) AS `sessions`
        FROM `scoped` GROUP BY `business_line`, `agent_id`) AS `n`
    ON `n`.`business_line` = `h`.`business_line` AND `n`.`agent_id` = `h`.`agent_id`
)
SELECT `business_line`, `agent_id`, `hours`, `cph_sessions`, `days_without_hours`
FROM `with_hours` WHERE ${has_agent_hours}
UNION ALL
SELECT `business_line`, `agent_id`, `hours`, `cph_sessions`, `days_without_hours`
FROM `without_hours` WHERE NOT ${has_agent_hours}
