-- kpis.csv: per (period, scope) of the published cuts — 全市 and every reference district by
-- month, quarter, year, the ranking window and 'all' (provisional months included); every
-- reference street (by code) by final quarter (three months in the data, none provisional:
-- prep.sql final_quarters) and the window, no 'all' — the sums behind every metric, with
-- zeros where nothing was received, and the distinct complainants behind each (disclosure
-- check).
-- Metrics (data/metrics.yml `definitions`): total = records; citizen_total / proactive_total
-- by source; responded / resolved / satisfied rate over 有效回访; composite score
-- = 100 × Σ weight × rate; ontime_rate = on time / closed; escalation_rate = escalated /
-- total. A rate over zero cases is NULL (published NA). 95 % intervals: Wilson (z = 1.96)
-- for every rate (the weighted 满意率 treated as a plain proportion); the composite's bounds
-- are 100 × Σ weight × the rates' bounds.
CREATE OR REPLACE MACRO wilson_low(x, n) AS CASE WHEN n > 0 THEN greatest(0.0,
    ((x / n) + 1.959963984540054 ^ 2 / (2 * n) - 1.959963984540054 * sqrt(
        (x / n) * (1 - x / n) / n + 1.959963984540054 ^ 2 / (4 * n * n)))
    / (1 + 1.959963984540054 ^ 2 / n)) END;
CREATE OR REPLACE MACRO wilson_high(x, n) AS CASE WHEN n > 0 THEN least(1.0,
    ((x / n) + 1.959963984540054 ^ 2 / (2 * n) + 1.959963984540054 * sqrt(
        (x / n) * (1 - x / n) / n + 1.959963984540054 ^ 2 / (4 * n * n)))
    / (1 + 1.959963984540054 ^ 2 / n)) END;

CREATE OR REPLACE TABLE kpi_cuts AS
SELECT * FROM (VALUES ('city', 'all'), ('city', 'year'), ('city', 'quarter'), ('city', 'month'),
                      ('city', 'window'), ('district', 'all'), ('district', 'year'),
                      ('district', 'quarter'), ('district', 'month'), ('district', 'window'),
                      ('street', 'final_quarter'), ('street', 'window'))
    AS t(scope_level, level);

CREATE OR REPLACE TABLE kpi_sums AS
WITH sums AS (
    SELECT period, scope_level, scope_code,
           sum(record) AS record, sum(citizen) AS citizen, sum(proactive) AS proactive,
           sum(escalated) AS escalated, sum(valid) AS valid,
           sum(contacted_ok) AS contacted_ok, sum(resolved_ok) AS resolved_ok,
           sum(satisfied_score) AS satisfied_score, sum(closed) AS closed,
           sum(ontime) AS ontime,
           count(DISTINCT complainant_key) AS complainants,
           count(DISTINCT valid_complainant) AS valid_complainants,
           count(DISTINCT closed_complainant) AS closed_complainants
    FROM cuts SEMI JOIN kpi_cuts USING (scope_level, level)
    GROUP BY ALL),
grid AS (
    SELECT p.period, r.scope_level, r.scope, r.scope_code, r.district
    FROM kpi_cuts AS c JOIN periods AS p USING (level) JOIN regions AS r USING (scope_level))
SELECT g.*,
       coalesce(record, 0) AS record, coalesce(citizen, 0) AS citizen,
       coalesce(proactive, 0) AS proactive, coalesce(escalated, 0) AS escalated,
       coalesce(valid, 0) AS valid, coalesce(contacted_ok, 0) AS contacted_ok,
       coalesce(resolved_ok, 0) AS resolved_ok,
       coalesce(satisfied_score, 0) AS satisfied_score, coalesce(closed, 0) AS closed,
       coalesce(ontime, 0) AS ontime, coalesce(complainants, 0) AS complainants,
       coalesce(valid_complainants, 0) AS valid_complainants,
       coalesce(closed_complainants, 0) AS closed_complainants
FROM grid AS g LEFT JOIN sums USING (period, scope_level, scope_code);

-- One row per (period, scope, metric), as kpis.csv: value, numerator, denominator, n and the
-- interval (NULL where the CSV says NA), and `who`, the complainants the k rule counts.
CREATE OR REPLACE VIEW kpis AS
WITH r AS (
    SELECT *,
           contacted_ok / nullif(valid, 0) AS responded_rate,
           resolved_ok / nullif(valid, 0) AS resolved_rate,
           satisfied_score / nullif(valid, 0) AS satisfied_rate,
           param('w_responded_rate') AS w_r, param('w_resolved_rate') AS w_s,
           param('w_satisfied_rate') AS w_m
    FROM kpi_sums)
SELECT period, scope_level, scope, scope_code, district, m.*
FROM r, LATERAL (
    SELECT 'total' AS metric, record::DOUBLE AS value, record::DOUBLE AS numerator,
           NULL::DOUBLE AS denominator, NULL::DOUBLE AS n, NULL::DOUBLE AS ci_low,
           NULL::DOUBLE AS ci_high, complainants AS who
    UNION ALL SELECT 'citizen_total', citizen, citizen, NULL, NULL, NULL, NULL, complainants
    UNION ALL SELECT 'proactive_total', proactive, proactive, NULL, NULL, NULL, NULL,
                     complainants
    UNION ALL SELECT 'responded_rate', responded_rate, contacted_ok, valid, valid,
                     wilson_low(contacted_ok, valid), wilson_high(contacted_ok, valid),
                     valid_complainants
    UNION ALL SELECT 'resolved_rate', resolved_rate, resolved_ok, valid, valid,
                     wilson_low(resolved_ok, valid), wilson_high(resolved_ok, valid),
                     valid_complainants
    UNION ALL SELECT 'satisfied_rate', satisfied_rate, satisfied_score, valid, valid,
                     wilson_low(satisfied_score, valid), wilson_high(satisfied_score, valid),
                     valid_complainants
    UNION ALL SELECT 'composite_score',
                     100 * (w_r * responded_rate + w_s * resolved_rate + w_m * satisfied_rate),
                     NULL, NULL, valid,
                     100 * (w_r * wilson_low(contacted_ok, valid)
                            + w_s * wilson_low(resolved_ok, valid)
                            + w_m * wilson_low(satisfied_score, valid)),
                     100 * (w_r * wilson_high(contacted_ok, valid)
                            + w_s * wilson_high(resolved_ok, valid)
                            + w_m * wilson_high(satisfied_score, valid)),
                     valid_complainants
    UNION ALL SELECT 'ontime_rate', ontime / nullif(closed, 0), ontime, closed, closed,
                     wilson_low(ontime, closed), wilson_high(ontime, closed),
                     closed_complainants
    UNION ALL SELECT 'escalation_rate', escalated / nullif(record, 0), escalated, record,
                     record, wilson_low(escalated, record), wilson_high(escalated, record),
                     complainants) AS m;
