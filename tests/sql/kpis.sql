-- kpis.csv: per period (each calendar month and 'all') × scope (全市 and each reference
-- district): total records; responded / resolved / satisfied rates over 有效回访;
-- composite score = Σ weight × rate × 100 (weights from `params`, names
-- 'w_responded_rate', 'w_resolved_rate', 'w_satisfied_rate'); on-time rate = closed within
-- the deadline / closed. A rate over zero cases is NULL (published as NA).
-- Also the distinct complainants (all, and behind 有效回访) for the disclosure check.
CREATE OR REPLACE VIEW kpi_sums AS
WITH sums AS (
    SELECT coalesce(month, 'all') AS period, coalesce(district, '全市') AS scope,
           sum(record) AS record, sum(valid) AS valid, sum(contacted_ok) AS contacted_ok,
           sum(resolved_ok) AS resolved_ok, sum(satisfied_score) AS satisfied_score,
           sum(closed) AS closed, sum(ontime) AS ontime,
           count(DISTINCT complainant_key) AS complainants,
           count(DISTINCT valid_complainant) AS valid_complainants
    FROM prep
    GROUP BY GROUPING SETS ((month, district), (month), (district), ())),
grid AS (
    SELECT p.period, s.scope
    FROM (SELECT month AS period FROM months UNION ALL SELECT 'all') AS p
    CROSS JOIN (SELECT district AS scope FROM districts UNION ALL SELECT '全市') AS s)
SELECT g.period, g.scope,
       coalesce(record, 0) AS record, coalesce(valid, 0) AS valid,
       coalesce(contacted_ok, 0) AS contacted_ok, coalesce(resolved_ok, 0) AS resolved_ok,
       coalesce(satisfied_score, 0) AS satisfied_score, coalesce(closed, 0) AS closed,
       coalesce(ontime, 0) AS ontime, coalesce(complainants, 0) AS complainants,
       coalesce(valid_complainants, 0) AS valid_complainants
FROM grid AS g LEFT JOIN sums USING (period, scope);

CREATE OR REPLACE VIEW kpis AS
WITH r AS (
    SELECT *,
           contacted_ok / nullif(valid, 0) AS responded_rate,
           resolved_ok / nullif(valid, 0) AS resolved_rate,
           satisfied_score / nullif(valid, 0) AS satisfied_rate,
           ontime / nullif(closed, 0) AS ontime_rate
    FROM kpi_sums)
SELECT period, scope, record, valid, contacted_ok, resolved_ok, satisfied_score, closed,
       ontime, complainants, valid_complainants,
       responded_rate, resolved_rate, satisfied_rate, ontime_rate,
       100 * ((SELECT value FROM params WHERE name = 'w_responded_rate') * responded_rate
            + (SELECT value FROM params WHERE name = 'w_resolved_rate') * resolved_rate
            + (SELECT value FROM params WHERE name = 'w_satisfied_rate') * satisfied_rate)
           AS composite_score
FROM r;
