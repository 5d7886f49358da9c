-- The month, the month before and whether FCR is complete for ALL.
SELECT ${month} AS `month`, ${prev_month} AS `prev_month`,
       (SELECT `fcr_complete` FROM `fcr_lines` WHERE `business_line` = 'ALL') AS `fcr_complete`
