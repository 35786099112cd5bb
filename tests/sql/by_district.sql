-- by_district.csv: each reference district over the whole period: total, requests per
-- 10,000 residents (count / (population_k / 10), rounded to 2 decimals as published), the
-- rates of kpis.sql, and the total of the latest calendar month.
-- Needs kpis.sql and `districts(district, district_code, population_k)`.
WITH a AS (
    SELECT scope_code,
           max(value) FILTER (metric = 'total') AS count,
           max(value) FILTER (metric = 'responded_rate') AS responded_rate,
           max(value) FILTER (metric = 'resolved_rate') AS resolved_rate,
           max(value) FILTER (metric = 'satisfied_rate') AS satisfied_rate,
           max(value) FILTER (metric = 'composite_score') AS composite_score,
           max(value) FILTER (metric = 'ontime_rate') AS ontime_rate,
           max(who) FILTER (metric = 'total') AS complainants,
           max(who) FILTER (metric = 'responded_rate') AS valid_complainants,
           max(who) FILTER (metric = 'ontime_rate') AS closed_complainants
    FROM kpis WHERE scope_level = 'district' AND period = 'all' GROUP BY scope_code),
l AS (SELECT scope_code, value AS latest_month, who AS latest_complainants
      FROM kpis WHERE scope_level = 'district' AND metric = 'total'
                  AND period = (SELECT max(month) FROM months))
SELECT d.district, d.district_code, d.population_k, a.count,
       round(a.count / (d.population_k / 10.0), 2) AS per_10k,
       a.responded_rate, a.resolved_rate, a.satisfied_rate, a.composite_score, a.ontime_rate,
       l.latest_month, a.complainants, a.valid_complainants, a.closed_complainants,
       l.latest_complainants
FROM districts AS d
JOIN a ON a.scope_code = d.district_code
JOIN l ON l.scope_code = d.district_code;
