"""The business-line figures of `csqa monthly` in DuckDB, over the same files.

FCR: a session with a customer is followed when the next session of that
customer (by start, then id) starts within 72 h of its end (its start when it
has none); read from 72 h before the previous month to 72 h + 7 days past the
month, as csqa does. Times are epoch microseconds (UTC data).
"""
import sys
from datetime import datetime, timezone

import duckdb

data, month, out = sys.argv[1], sys.argv[2], sys.argv[3]
y, m = map(int, month.split("-"))
us = lambda d: int(d.timestamp() * 1_000_000)
start = us(datetime(y, m, 1, tzinfo=timezone.utc))
end = us(datetime(y + m // 12, m % 12 + 1, 1, tzinfo=timezone.utc))
prev = us(datetime(y - (m == 1), (m - 2) % 12 + 1, 1, tzinfo=timezone.utc))
hour = 3_600_000_000
window = 72 * hour

con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"""
COPY (
  WITH s AS (
    SELECT session_id, customer_id, business_line, rating, complaint, first_response_s,
           epoch_us(started_at) AS t, epoch_us(COALESCE(ended_at, started_at)) AS anchor
    FROM read_parquet('{data}/sessions/**/*.parquet', hive_partitioning = false)
    WHERE epoch_us(started_at) >= {prev - window}
      AND epoch_us(started_at) < {end + window + 7 * 24 * hour}
  ),
  flagged AS (
    SELECT *, LEAD(t) OVER (PARTITION BY customer_id ORDER BY t, session_id) AS next_t
    FROM s
  ),
  month AS (SELECT * FROM flagged WHERE t >= {start} AND t < {end})
  SELECT COALESCE(business_line, 'ALL') AS business_line,
         COUNT(*) AS sessions,
         COUNT(rating) AS rated,
         SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END)::DOUBLE / NULLIF(COUNT(rating), 0) AS csat,
         AVG(rating) AS avg_rating,
         1 - SUM(CASE WHEN customer_id IS NOT NULL AND next_t <= anchor + {window} THEN 1 ELSE 0 END)::DOUBLE
             / NULLIF(COUNT(customer_id), 0) AS fcr,
         COUNT(customer_id)::DOUBLE / COUNT(*) AS fcr_coverage,
         SUM(CASE WHEN complaint THEN 1 ELSE 0 END)::DOUBLE / COUNT(*) AS complaint_rate,
         SUM(CASE WHEN first_response_s <= 30 THEN 1 ELSE 0 END)::DOUBLE
             / NULLIF(COUNT(first_response_s), 0) AS first_response_sla_base
  FROM month
  GROUP BY ROLLUP (business_line)
) TO '{out}' (HEADER, DELIMITER ',')
""")
