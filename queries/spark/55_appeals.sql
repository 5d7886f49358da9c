-- The used appeals (the local job's `appeals`): rows that break no rule
-- and are not superseded by a later export of the same appeal.
SELECT `review_id`, `module_id`, `filed_at`, `outcome`, `decided_at`
FROM `appeals_checked`
WHERE `reason` IS NULL AND NOT `superseded`
