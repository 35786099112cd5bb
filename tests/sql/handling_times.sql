-- handling_times.csv: per urgency class (data/metrics.yml deadlines_hours) for 全市 over
-- 'all' and each calendar quarter, and every reference district over 'all':
--   closed: closed requests; response times: contacted_at − received_at over every request
--   with a contact time (closed or not); closing times: closed_at − received_at over closed
--   requests; hours; median = DuckDB median (mean of the middle two), p90 = nearest rank
--   (DuckDB quantile_disc(x, 0.9)), both rounded to 0.1 h as published; ontime_rate =
--   on time / closed. Complainants behind all, closed and contacted requests (k rule).
WITH r AS (
    SELECT *, epoch(contacted_ts - received) / 3600.0 AS response_h,
           CASE WHEN closed = 1 THEN epoch(closed_ts - received) / 3600.0 END AS closing_h,
           CASE WHEN contacted_ts IS NOT NULL THEN complainant_key END AS responded_complainant
    FROM prep_periods
    WHERE level IN ('all', 'quarter')),
scoped AS (
    SELECT *, '全市' AS scope FROM r
    UNION ALL SELECT *, district FROM r WHERE level = 'all'),
c AS (
    SELECT period, scope, urgency, sum(closed) AS closed, sum(ontime) AS ontime,
           median(response_h) AS response_median_h,
           quantile_disc(response_h, 0.9) AS response_p90_h,
           median(closing_h) AS closing_median_h,
           quantile_disc(closing_h, 0.9) AS closing_p90_h,
           count(DISTINCT complainant_key) AS who,
           count(DISTINCT closed_complainant) AS who_closed,
           count(DISTINCT responded_complainant) AS who_responded
    FROM scoped GROUP BY ALL),
g AS (
    SELECT p.period, '全市' AS scope FROM periods AS p WHERE p.level IN ('all', 'quarter')
    UNION ALL SELECT 'all', district FROM districts)
SELECT g.period, g.scope, d.urgency, coalesce(c.closed, 0) AS closed,
       round(c.response_median_h, 1) AS response_median_h,
       round(c.response_p90_h, 1) AS response_p90_h,
       round(c.closing_median_h, 1) AS closing_median_h,
       round(c.closing_p90_h, 1) AS closing_p90_h,
       c.ontime / nullif(c.closed, 0) AS ontime_rate, d.hours AS deadline_h,
       c.response_median_h AS response_median_exact, c.response_p90_h AS response_p90_exact,
       c.closing_median_h AS closing_median_exact, c.closing_p90_h AS closing_p90_exact,
       coalesce(c.who, 0) AS who, coalesce(c.who_closed, 0) AS who_closed,
       coalesce(c.who_responded, 0) AS who_responded
FROM g CROSS JOIN deadlines AS d
LEFT JOIN c ON c.period = g.period AND c.scope = g.scope AND c.urgency = d.urgency;
