-- One row per distinct appeal row (exact copies folded, `copies` rows
-- read). Rows of one appeal (review_id, module_id, filed_at) that differ
-- are later exports of it: among the valid ones (key complete, outcome
-- known, times that exist) a decision supersedes pending and a later
-- decision an earlier one, so all but the one that says most are
-- `superseded` (folded, not rejected) — unless the appeal was both upheld
-- and overturned: then every valid row of it is rejected as conflicting
-- outcomes. `reason` in csqa's order: nonexistent local time, null keys,
-- conflicting outcomes, unknown outcome.
WITH `distinct_rows` AS (
  SELECT `review_id`, `module_id`, `filed_at`, `outcome`, `decided_at`,
         COUNT(*) AS `copies`,
         MIN(`source_file`) AS `source_file`,
         MAX(CASE WHEN `nonexistent` THEN 1 ELSE 0 END) = 1 AS `nonexistent`
  FROM `appeals_read`
  GROUP BY `review_id`, `module_id`, `filed_at`, `outcome`, `decided_at`
),
`valid` AS (
  SELECT `d`.*,
         `review_id` IS NOT NULL AND `module_id` IS NOT NULL AND `filed_at` IS NOT NULL
           AND COALESCE(`outcome` IN ('upheld', 'overturned', 'pending'), FALSE)
           AND NOT `nonexistent` AS `is_valid`
  FROM `distinct_rows` AS `d`
),
`judged` AS (
  SELECT `v`.*,
         `is_valid`
           AND MAX(CASE WHEN `outcome` = 'upheld' THEN 1 ELSE 0 END) OVER (
                 PARTITION BY `review_id`, `module_id`, `filed_at`, `is_valid`) = 1
           AND MAX(CASE WHEN `outcome` = 'overturned' THEN 1 ELSE 0 END) OVER (
                 PARTITION BY `review_id`, `module_id`, `filed_at`, `is_valid`) = 1 AS `conflict`,
         ROW_NUMBER() OVER (
           PARTITION BY `review_id`, `module_id`, `filed_at`, `is_valid`
           ORDER BY CASE WHEN `outcome` IN ('upheld', 'overturned') THEN 0 ELSE 1 END NULLS LAST,
                    `decided_at` DESC NULLS LAST) AS `says_most`
  FROM `valid` AS `v`
)
SELECT `review_id`, `module_id`, `filed_at`, `outcome`, `decided_at`, `copies`, `source_file`,
       `is_valid` AND NOT `conflict` AND `says_most` > 1 AS `superseded`,
       CASE
         WHEN `nonexistent` THEN 'nonexistent local time'
         WHEN `review_id` IS NULL THEN 'null review_id'
         WHEN `module_id` IS NULL THEN 'null module_id'
         WHEN `filed_at` IS NULL THEN 'null filed_at'
         WHEN `outcome` IS NULL THEN 'null outcome'
         WHEN `conflict` THEN 'conflicting outcomes'
         WHEN `outcome` NOT IN ('upheld', 'overturned', 'pending') THEN 'unknown outcome'
       END AS `reason`
FROM `judged`
