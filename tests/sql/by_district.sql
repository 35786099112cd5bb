-- by_district.csv: each reference district over the whole period: total, requests per
-- 10,000 residents (count / (population_k / 10), rounded to 2 decimals as published), the
-- rates of kpis.sql, and the total of the latest calendar month.
-- Needs kpis.sql and `districts(district, district_code, population_k)`.
SELECT d.district, d.district_code, d.population_k,
       a.record AS count,
       round(a.record / (d.population_k / 10.0), 2) AS per_10k,
       a.responded_rate, a.resolved_rate, a.satisfied_rate, a.composite_score, a.ontime_rate,
       l.record AS latest_month,
       a.complainants, a.valid_complainants, l.complainants AS latest_complainants
FROM districts AS d
JOIN kpis AS a ON a.scope = d.district AND a.period = 'all'
JOIN kpis AS l ON l.scope = d.district AND l.period = (SELECT max(month) FROM months);
