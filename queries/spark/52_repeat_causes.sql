-- The used cause notes (the local job's `repeat_causes`).
SELECT `session_id`, `cause`, `noted_by`, `noted_at`
FROM `repeat_causes_checked`
WHERE `reason` IS NULL
