-- monthly.csv: the city-wide (全市) row of kpis.sql for every calendar month.
-- Needs kpis.sql.
SELECT period AS month, record AS count, responded_rate, resolved_rate, satisfied_rate,
       composite_score, ontime_rate, complainants, valid_complainants
FROM kpis WHERE scope = '全市' AND period <> 'all'
ORDER BY month;
