-- Sessions, repeat visits and complaints per business line and local month.
SELECT
  `business_line`,
  `local_month`,
  COUNT(*) AS `sessions`,
  SUM(CASE WHEN `is_repeat` THEN 1 ELSE 0 END) AS `repeat_visits`,
  SUM(CASE WHEN `complaint` THEN 1 ELSE 0 END) AS `complaints`
FROM `sessions`
GROUP BY `business_line`, `local_month`
ORDER BY `business_line`, `local_month`
