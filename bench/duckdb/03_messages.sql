-- The month's messages (and one longest session past it), checked; exact
-- copies folded. Reply events: among a session's agent messages, those
-- answering a customer (a customer message since the previous agent one),
-- the session's first answer left out, timed from the first customer
-- message since the previous agent message; at equal times the customer's
-- message comes first.
CREATE TEMP TABLE messages_checked AS
WITH raw AS (
  SELECT $blank_session_id AS session_id, $instant_sent_at AS sent_tz, $blank_sender AS sender
  FROM read_parquet('$data/messages/**/*.parquet', hive_partitioning = false)
  WHERE $prefilter_sent_at
    AND ($instant_sent_at IS NULL
         OR ($instant_sent_at >= $messages_from AND $instant_sent_at < $messages_to))
)
SELECT COUNT(*) AS rows_in,
       COUNT(*) - (SELECT COUNT(*) FROM (SELECT DISTINCT * FROM raw)) AS duplicates,
       COUNT(*) FILTER (WHERE session_id IS NULL OR sent_tz IS NULL OR sender IS NULL
                        OR sender NOT IN ('customer', 'agent', 'bot', 'system')) AS rejected
FROM raw;

INSERT INTO checks SELECT 'messages', rows_in, duplicates, rejected FROM messages_checked;

CREATE TEMP TABLE reply_events AS
WITH raw AS (
  SELECT $blank_session_id AS session_id, $instant_sent_at AS sent_tz, sender
  FROM read_parquet('$data/messages/**/*.parquet', hive_partitioning = false)
  WHERE $prefilter_sent_at
),
m AS (
  SELECT DISTINCT session_id, epoch_us(sent_tz) AS t, sender = 'agent' AS agent
  FROM raw
  WHERE sent_tz >= $messages_from AND sent_tz < $messages_to
    AND sender IN ('customer', 'agent')
    AND session_id IN (SELECT session_id FROM session_keys WHERE local_month = '$month')
),
ordered AS (
  SELECT *, LAG(agent) OVER w AS prev_agent FROM m
  WINDOW w AS (PARTITION BY session_id ORDER BY t, agent)
),
opened AS (
  SELECT *, MAX(CASE WHEN NOT agent AND COALESCE(prev_agent, TRUE) THEN t END)
              OVER (PARTITION BY session_id ORDER BY t, agent ROWS UNBOUNDED PRECEDING) AS opened
  FROM ordered
),
asked AS (
  SELECT *, LAG(opened) OVER (PARTITION BY session_id ORDER BY t, agent) AS asked_at FROM opened
),
answers AS (
  SELECT session_id, t, asked_at FROM asked
  WHERE agent AND prev_agent = FALSE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY t) > 1
)
SELECT k.business_line, k.agent_id, k.local_month,
       (a.t - a.asked_at) / 1e6 AS reply_s,
       CAST((a.t - a.asked_at) / 1e6 <= k.reply_threshold_s AS INTEGER) AS reply_met,
       CAST((a.t - a.asked_at) / 1e6 <= $base_reply_s AS INTEGER) AS reply_met_base
FROM answers AS a JOIN session_keys AS k USING (session_id);
