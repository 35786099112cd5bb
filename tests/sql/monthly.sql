-- monthly.csv: the city-wide (全市) sums of kpis.sql for every calendar month, as rates, with
-- 环比 (against the calendar month before) and 同比 (the same month a year before) as ratios
-- of change; none for a latest month the export cuts short. Needs kpis.sql.
WITH m AS (
SELECT period AS month,
       max(value) FILTER (metric = 'total') AS count,
       max(value) FILTER (metric = 'responded_rate') AS responded_rate,
       max(value) FILTER (metric = 'resolved_rate') AS resolved_rate,
       max(value) FILTER (metric = 'satisfied_rate') AS satisfied_rate,
       max(value) FILTER (metric = 'composite_score') AS composite_score,
       max(value) FILTER (metric = 'ontime_rate') AS ontime_rate,
       max(who) FILTER (metric = 'total') AS complainants,
       max(who) FILTER (metric = 'responded_rate') AS valid_complainants,
       max(who) FILTER (metric = 'ontime_rate') AS closed_complainants
FROM kpis WHERE scope_level = 'city' AND period IN (SELECT month FROM months)
GROUP BY period)
SELECT m.*,
       CASE WHEN p.count > 0 AND NOT (m.month = (SELECT max(month) FROM months)
                                      AND (SELECT partial FROM cutoff))
            THEN (m.count - p.count) / p.count END AS count_mom,
       CASE WHEN y.count > 0 AND NOT (m.month = (SELECT max(month) FROM months)
                                      AND (SELECT partial FROM cutoff))
            THEN (m.count - y.count) / y.count END AS count_yoy,
       coalesce(p.complainants, m.complainants) AS mom_complainants,
       coalesce(y.complainants, m.complainants) AS yoy_complainants
FROM m
LEFT JOIN m AS p ON p.month = strftime(strptime(m.month, '%Y-%m') - INTERVAL 1 MONTH, '%Y-%m')
LEFT JOIN m AS y ON y.month = strftime(strptime(m.month, '%Y-%m') - INTERVAL 12 MONTH, '%Y-%m')
ORDER BY m.month;
