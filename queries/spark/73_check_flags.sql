-- The loader's flags over the rows read, in one long table: `blank:<column>`
-- (empty or whitespace-only strings read as NULL) and `ambiguous` (naive
-- local times that occur twice, read as the earlier instant); only flags
-- with rows.
SELECT `table_name`, CONCAT('blank:', `column_name`) AS `flag`, `rows`
FROM `blank_counts`
UNION ALL
SELECT `table_name`, 'ambiguous' AS `flag`, `ambiguous_local_times` AS `rows`
FROM `check_counts`
WHERE `ambiguous_local_times` > 0
