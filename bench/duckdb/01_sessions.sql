-- Sessions of the read window (the previous month and the month, with one
-- FCR window and one longest session either side), checked against the
-- contract: exact copies folded, rows breaking a rule or sharing a
-- session_id with a different row rejected.
CREATE TEMP TABLE sessions_raw AS
SELECT $blank_session_id AS session_id, $blank_customer_id AS customer_id,
       $blank_business_line AS business_line, $blank_channel AS channel,
       $blank_category AS category, $blank_agent_id AS agent_id, $blank_team AS team,
       $instant_started_at AS started_tz, $instant_ended_at AS ended_tz,
       CAST(first_response_s AS DOUBLE) AS first_response_s, CAST(rating AS BIGINT) AS rating,
       resolved, complaint, public_opinion
FROM read_parquet('$data/sessions/**/*.parquet', hive_partitioning = false)
WHERE $prefilter_started_at
  AND ($instant_started_at IS NULL
       OR ($instant_started_at >= $sessions_from AND $instant_started_at < $sessions_to));

CREATE TEMP TABLE sessions_distinct AS SELECT DISTINCT * FROM sessions_raw;

CREATE TEMP TABLE sessions_used AS
SELECT * EXCLUDE (copies)
FROM (SELECT *, COUNT(*) OVER (PARTITION BY session_id) AS copies FROM sessions_distinct)
WHERE copies = 1
  AND session_id IS NOT NULL AND business_line IS NOT NULL AND channel IS NOT NULL
  AND started_tz IS NOT NULL
  AND business_line <> 'ALL'
  AND NOT COALESCE(rating < 1 OR rating > $scale_max, FALSE)
  AND NOT COALESCE(ended_tz < started_tz, FALSE)
  AND NOT COALESCE(epoch_us(ended_tz) - epoch_us(started_tz) > $max_session_us, FALSE)
  AND NOT COALESCE(isinf(first_response_s) OR isnan(first_response_s) OR first_response_s < 0, FALSE);

INSERT INTO checks
SELECT 'sessions', (SELECT COUNT(*) FROM sessions_raw),
       (SELECT COUNT(*) FROM sessions_raw) - (SELECT COUNT(*) FROM sessions_distinct),
       (SELECT COUNT(*) FROM sessions_distinct) - (SELECT COUNT(*) FROM sessions_used);

-- FCR: sessions of one customer in (start, id) order; a session is followed
-- when the next starts within the window of its anchor (end, else start),
-- a repeat visit when it starts within the window of the latest anchor
-- before it. Then the local calendar, the SLA in force, and 0/1 indicators
-- for the pack's SQL; the previous month and the month are kept.
CREATE TEMP TABLE sessions AS
WITH timed AS (
  SELECT *, epoch_us(started_tz) AS t,
         COALESCE(epoch_us(ended_tz), epoch_us(started_tz)) AS anchor,
         timezone('$tz', started_tz) AS local_ts
  FROM sessions_used
),
flagged AS (
  SELECT *,
         CASE WHEN customer_id IS NOT NULL
              THEN COALESCE(LEAD(t) OVER by_customer <= anchor + $fcr_window_us, FALSE) END AS followed,
         customer_id IS NOT NULL AND COALESCE(
           t <= MAX(anchor) OVER (by_customer ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                + $fcr_window_us, FALSE) AS is_repeat
  FROM timed
  WINDOW by_customer AS (PARTITION BY customer_id ORDER BY t, session_id)
),
calendar AS (
  SELECT *, strftime(local_ts, '%Y-%m') AS local_month, CAST(local_ts AS DATE) AS local_date,
         CAST(hour(local_ts) AS INTEGER) AS local_hour,
         $first_response_threshold AS first_response_threshold_s,
         $reply_threshold AS reply_threshold_s
  FROM flagged
)
SELECT session_id, customer_id, business_line, channel, category, agent_id, team,
       started_tz AS started_at, ended_tz AS ended_at, first_response_s, rating, resolved,
       complaint, public_opinion, local_month, local_date, local_hour, followed, is_repeat,
       first_response_threshold_s, reply_threshold_s,
       CAST(rating IS NOT NULL AS INTEGER) AS rated,
       CAST(COALESCE(rating >= $satisfied_min, FALSE) AS INTEGER) AS satisfied,
       CAST(customer_id IS NOT NULL AS INTEGER) AS in_fcr,
       CAST(COALESCE(followed, FALSE) AS INTEGER) AS followed_n,
       CAST(is_repeat AS INTEGER) AS repeat_n,
       CAST(COALESCE(complaint, FALSE) AS INTEGER) AS complaint_n,
       CAST(COALESCE(public_opinion, FALSE) AS INTEGER) AS public_opinion_n,
       CAST(agent_id IS NOT NULL AS INTEGER) AS agent_handled,
       CAST(first_response_s IS NOT NULL AS INTEGER) AS frs_measured,
       CAST(COALESCE(first_response_s <= first_response_threshold_s, FALSE) AS INTEGER) AS frs_met,
       CAST(COALESCE(first_response_s <= $base_first_response_s, FALSE) AS INTEGER) AS frs_met_base
FROM calendar
WHERE local_month IN ('$prev_month', '$month');

-- Does each line's data reach one FCR window past the month's end?
CREATE TEMP TABLE fcr_lines AS
WITH latest AS (
  SELECT business_line, MAX(epoch_us(started_tz)) AS latest FROM sessions_used GROUP BY business_line
),
lines AS (
  SELECT DISTINCT s.business_line, COALESCE(l.latest >= $fcr_reach_us, FALSE) AS fcr_complete
  FROM sessions AS s LEFT JOIN latest AS l USING (business_line)
  WHERE s.local_month = '$month'
)
SELECT business_line, fcr_complete FROM lines
UNION ALL
SELECT 'ALL', BOOL_AND(fcr_complete) FROM lines;

CREATE TEMP TABLE period AS
SELECT '$month' AS month, '$prev_month' AS prev_month,
       (SELECT fcr_complete FROM fcr_lines WHERE business_line = 'ALL') AS fcr_complete;

CREATE TEMP TABLE session_keys AS
SELECT session_id, business_line, agent_id, team, category, local_month, reply_threshold_s
FROM sessions;
