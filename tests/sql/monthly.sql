-- monthly.csv: the city-wide (全市) sums of kpis.sql for every calendar month, as rates.
-- Needs kpis.sql.
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
GROUP BY period ORDER BY month;
