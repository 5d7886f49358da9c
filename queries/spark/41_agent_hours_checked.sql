-- One row per distinct agent-hours row (exact copies folded, `copies`
-- rows read) with the reason of the first rule it breaks: null keys,
-- conflicting duplicate (agent_id and date shared with a different row:
-- a correction beside the original is not extra hours), hours outside
-- 0..24 or not a number.
SELECT `d`.*,
       CASE
         WHEN `d`.`agent_id` IS NULL THEN 'null agent_id'
         WHEN `d`.`date` IS NULL THEN 'null date'
         WHEN `d`.`logged_in_hours` IS NULL THEN 'null logged_in_hours'
         WHEN COUNT(*) OVER (PARTITION BY `d`.`agent_id`, `d`.`date`) > 1 THEN 'conflicting duplicate'
         -- x - x = 0 holds for every finite x, fails for NaN and ±infinity.
         WHEN NOT (`d`.`logged_in_hours` - `d`.`logged_in_hours` = 0)
              OR `d`.`logged_in_hours` < 0 OR `d`.`logged_in_hours` > 24
           THEN 'logged_in_hours out of range'
       END AS `reason`
FROM (
  SELECT `agent_id`, `date`, `logged_in_hours`,
         COUNT(*) AS `copies`,
         MIN(`source_file`) AS `source_file`,
         FALSE AS `nonexistent`
  FROM `agent_hours_read`
  GROUP BY `agent_id`, `date`, `logged_in_hours`
) AS `d`
