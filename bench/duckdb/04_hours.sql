-- Agent hours of the read window, checked (hours within 0..24, one row per
-- agent and date). Agent time per line and agent for CPH: a day's logged
-- hours split across lines by the agent's sessions that day; hours of days
-- without sessions split by the agent's sessions of the month; ALL has
-- every logged hour. CPH counts sessions of agent-days with hours logged.
CREATE TEMP TABLE hours_raw AS
SELECT $blank_agent_id AS agent_id, CAST(date AS DATE) AS date,
       CAST(logged_in_hours AS DOUBLE) AS logged_in_hours
FROM read_parquet('$data/agent_hours/**/*.parquet', hive_partitioning = false)
WHERE date IS NULL OR (date >= DATE '$prev_first_day' AND date < DATE '$next_first_day');

CREATE TEMP TABLE hours_distinct AS SELECT DISTINCT * FROM hours_raw;

CREATE TEMP TABLE hours_used AS
SELECT * EXCLUDE (copies)
FROM (SELECT *, COUNT(*) OVER (PARTITION BY agent_id, date) AS copies FROM hours_distinct)
WHERE copies = 1 AND agent_id IS NOT NULL AND date IS NOT NULL AND logged_in_hours IS NOT NULL
  AND NOT (isnan(logged_in_hours) OR logged_in_hours < 0 OR logged_in_hours > 24);

INSERT INTO checks
SELECT 'agent_hours', (SELECT COUNT(*) FROM hours_raw),
       (SELECT COUNT(*) FROM hours_raw) - (SELECT COUNT(*) FROM hours_distinct),
       (SELECT COUNT(*) FROM hours_distinct) - (SELECT COUNT(*) FROM hours_used);

CREATE TEMP TABLE agent_time AS
WITH logged AS (
  SELECT agent_id, date AS local_date, SUM(logged_in_hours) AS day_hours
  FROM hours_used
  WHERE date >= DATE '$first_day' AND date < DATE '$next_first_day'
  GROUP BY agent_id, date
),
line_days AS (
  SELECT business_line, agent_id, local_date, COUNT(*) AS n
  FROM sessions
  WHERE local_month = '$month' AND agent_id IS NOT NULL
  GROUP BY business_line, agent_id, local_date
),
days AS (
  SELECT d.agent_id, d.local_date, d.day_n, l.day_hours, COALESCE(l.day_hours, 0) > 0 AS has_hours
  FROM (SELECT agent_id, local_date, SUM(n) AS day_n FROM line_days GROUP BY agent_id, local_date) AS d
  LEFT JOIN logged AS l USING (agent_id, local_date)
),
idle AS (
  SELECT l.agent_id, SUM(l.day_hours) AS idle_hours
  FROM logged AS l LEFT JOIN days AS d USING (agent_id, local_date)
  WHERE d.day_n IS NULL
  GROUP BY l.agent_id
),
line_n AS (SELECT business_line, agent_id, SUM(n) AS line_n FROM line_days GROUP BY business_line, agent_id),
agent_n AS (SELECT agent_id, SUM(n) AS agent_n FROM line_days GROUP BY agent_id),
parts AS (
  SELECT ld.business_line, ld.agent_id,
         COALESCE(d.day_hours, 0) * CAST(ld.n AS DOUBLE) / d.day_n AS hours,
         CASE WHEN d.has_hours THEN ld.n ELSE 0 END AS cph_sessions,
         CASE WHEN d.has_hours THEN 0 ELSE 1 END AS days_without_hours
  FROM line_days AS ld JOIN days AS d USING (agent_id, local_date)
  UNION ALL
  SELECT ln.business_line, ln.agent_id, i.idle_hours * CAST(ln.line_n AS DOUBLE) / a.agent_n, 0, 0
  FROM line_n AS ln JOIN agent_n AS a USING (agent_id) JOIN idle AS i USING (agent_id)
  UNION ALL
  SELECT 'ALL', agent_id, day_hours, 0, 0 FROM logged
  UNION ALL
  SELECT 'ALL', agent_id, 0.0, CASE WHEN has_hours THEN day_n ELSE 0 END,
         CASE WHEN has_hours THEN 0 ELSE 1 END
  FROM days
)
SELECT business_line, agent_id, SUM(hours) AS hours, SUM(cph_sessions) AS cph_sessions,
       SUM(days_without_hours) AS days_without_hours
FROM parts
GROUP BY business_line, agent_id;
