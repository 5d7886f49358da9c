-- Reviews from the previous month's start, each module row under the
-- scorecard in force at reviewed_at; rows with no scorecard, an unknown
-- module or a score off its scale are rejected, as are rows sharing
-- (review_id, module_id) with a different row.
CREATE TEMP TABLE reviews_raw AS
SELECT $blank_review_id AS review_id, $blank_session_id AS session_id,
       $blank_reviewer_id AS reviewer_id, $instant_reviewed_at AS reviewed_tz,
       $blank_module_id AS module_id, CAST(score AS DOUBLE) AS score,
       $blank_calibration_round AS calibration_round
FROM read_parquet('$data/reviews/**/*.parquet', hive_partitioning = false)
WHERE $prefilter_reviewed_at
  AND ($instant_reviewed_at IS NULL OR $instant_reviewed_at >= $reviews_from);

CREATE TEMP TABLE reviews_distinct AS SELECT DISTINCT * FROM reviews_raw;

CREATE TEMP TABLE reviews_used AS
WITH versioned AS (
  SELECT *, $scorecard_version AS scorecard_version,
         COUNT(*) OVER (PARTITION BY review_id, module_id) AS copies
  FROM reviews_distinct
)
SELECT v.review_id, v.session_id, v.reviewer_id, v.reviewed_tz AS reviewed_at, v.module_id,
       v.score, v.calibration_round, v.scorecard_version, m.module_group, m.module_scope,
       m.scale_min, m.scale_max, m.weight, m.module_name,
       (v.score - m.scale_min) / (m.scale_max - m.scale_min) AS normalised
FROM versioned AS v
LEFT JOIN scorecard_modules AS m USING (scorecard_version, module_id)
WHERE v.copies = 1
  AND v.review_id IS NOT NULL AND v.session_id IS NOT NULL AND v.reviewer_id IS NOT NULL
  AND v.reviewed_tz IS NOT NULL AND v.module_id IS NOT NULL
  AND v.scorecard_version IS NOT NULL AND m.scale_min IS NOT NULL
  AND NOT COALESCE(isnan(v.score) OR v.score < m.scale_min OR v.score > m.scale_max
                   OR v.score <> round_even(v.score, 0), FALSE);

INSERT INTO checks
SELECT 'reviews', (SELECT COUNT(*) FROM reviews_raw),
       (SELECT COUNT(*) FROM reviews_raw) - (SELECT COUNT(*) FROM reviews_distinct),
       (SELECT COUNT(*) FROM reviews_distinct) - (SELECT COUNT(*) FROM reviews_used);

-- A review's score: 0 on a failed red line, else the weighted mean of its
-- scored modules (N/A left out) in percent.
CREATE TEMP TABLE review_scores AS
WITH per_review AS (
  SELECT review_id, ANY_VALUE(session_id) AS session_id, ANY_VALUE(reviewer_id) AS reviewer_id,
         ANY_VALUE(calibration_round) AS calibration_round,
         ANY_VALUE(scorecard_version) AS scorecard_version,
         COALESCE(BOOL_OR(module_group = 'red_line' AND normalised = 0), FALSE) AS red_line_fail,
         SUM(normalised * weight) AS num,
         SUM(weight) FILTER (WHERE normalised IS NOT NULL) AS den
  FROM reviews_used
  GROUP BY review_id
)
SELECT r.review_id, r.session_id, r.reviewer_id, r.calibration_round, r.scorecard_version,
       r.red_line_fail,
       CASE WHEN r.red_line_fail THEN 0.0 WHEN r.den > 0 THEN 100.0 * r.num / r.den END AS review_score,
       k.business_line, k.agent_id, k.team, k.category, k.local_month, k.reply_threshold_s
FROM per_review AS r JOIN session_keys AS k USING (session_id);

CREATE TEMP TABLE review_modules AS
SELECT r.*, k.business_line, k.agent_id, k.team, k.category, k.local_month, k.reply_threshold_s
FROM reviews_used AS r JOIN session_keys AS k USING (session_id);
