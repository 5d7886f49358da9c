-- Repeat causes (all of them: the pack joins them to the month's
-- sessions) and appeals from the previous month's start, checked. Of an
-- appeal exported more than once (same review, module and filing time),
-- a decision supersedes pending and a later decision an earlier one.
CREATE TEMP TABLE causes_raw AS
SELECT $blank_session_id AS session_id, $blank_cause AS cause, $blank_noted_by AS noted_by,
       $instant_noted_at AS noted_at
FROM read_parquet('$data/repeat_causes/**/*.parquet', hive_partitioning = false);

CREATE TEMP TABLE repeat_causes AS
SELECT DISTINCT * FROM causes_raw WHERE session_id IS NOT NULL AND cause IS NOT NULL;

INSERT INTO checks
SELECT 'repeat_causes', (SELECT COUNT(*) FROM causes_raw),
       (SELECT COUNT(*) FROM causes_raw) - (SELECT COUNT(*) FROM (SELECT DISTINCT * FROM causes_raw)),
       (SELECT COUNT(*) FROM (SELECT DISTINCT * FROM causes_raw)) - (SELECT COUNT(*) FROM repeat_causes);

CREATE TEMP TABLE appeals_raw AS
SELECT $blank_review_id AS review_id, $blank_module_id AS module_id,
       $instant_filed_at AS filed_at, $blank_outcome AS outcome, $instant_decided_at AS decided_at
FROM read_parquet('$data/appeals/**/*.parquet', hive_partitioning = false)
WHERE $prefilter_filed_at
  AND ($instant_filed_at IS NULL OR $instant_filed_at >= $reviews_from);

CREATE TEMP TABLE appeals AS
SELECT * FROM (SELECT DISTINCT * FROM appeals_raw)
WHERE review_id IS NOT NULL AND module_id IS NOT NULL AND filed_at IS NOT NULL
  AND outcome IN ('upheld', 'overturned', 'pending')
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY review_id, module_id, filed_at
  ORDER BY outcome = 'pending', decided_at DESC NULLS LAST) = 1;

INSERT INTO checks
SELECT 'appeals', (SELECT COUNT(*) FROM appeals_raw),
       (SELECT COUNT(*) FROM appeals_raw) - (SELECT COUNT(*) FROM appeals),
       0;
