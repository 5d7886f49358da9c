-- The used review rows of the sessions of the two months, each with its
-- session's line, agent, team, category, month and reply threshold (the
-- local job's `review_modules`).
SELECT `r`.`review_id`, `r`.`session_id`, `r`.`reviewer_id`, `r`.`reviewed_at`, `r`.`module_id`,
       `r`.`score`, `r`.`calibration_round`, `r`.`scorecard_version`, `r`.`module_group`,
       `r`.`module_scope`, `r`.`scale_min`, `r`.`scale_max`, `r`.`weight`, `r`.`module_name`,
       `r`.`normalised`,
       `s`.`business_line`, `s`.`agent_id`, `s`.`team`, `s`.`category`, `s`.`local_month`,
       `s`.`reply_threshold_s`
FROM `reviews_checked` AS `r`
JOIN `sessions` AS `s` ON `s`.`session_id` = `r`.`session_id`
WHERE `r`.`reason` IS NULL
