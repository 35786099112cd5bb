-- district_ranking.csv (and, through the view, street_ranking.csv): units over the ranking window (kpis.sql,
-- period = the window label) by composite score, and districts by requests per 10,000
-- residents (count / (population_k / 10), 2 decimals). Rules (stats.ranking docstring,
-- methodology page): status hidden when the test's `hidden_units(ranking, scope_code)` (the
-- published file's hidden rows) lists the unit, no_requests for 0 requests, below_minimum
-- under ranking.min_requests, else ranked; values compared as shown (correctly rounded to
-- ranking.precision decimals, per_10k to 2); competition rank = 1 + units strictly better;
-- tied when another ranked unit shows the same value.
-- Needs kpis.sql; creates the view ranking_units, one row per (ranking, unit), and returns
-- the districts' rows (street_ranking.sql returns the streets').
CREATE OR REPLACE VIEW ranking_units AS
WITH w AS (
    SELECT scope_level, scope_code, district, scope,
           max(value) FILTER (metric = 'total') AS count,
           max(value) FILTER (metric = 'composite_score') AS composite_score,
           max(n) FILTER (metric = 'composite_score') AS n,
           max(ci_low) FILTER (metric = 'composite_score') AS ci_low,
           max(ci_high) FILTER (metric = 'composite_score') AS ci_high,
           max(who) FILTER (metric = 'total') AS complainants,
           max(who) FILTER (metric = 'composite_score') AS valid_complainants
    FROM kpis WHERE period = (SELECT label FROM window_label)
                AND scope_level IN ('district', 'street')
    GROUP BY ALL),
units AS (
    SELECT 'composite_score' AS ranking, *, composite_score AS value,
           -- printf rounds the binary value correctly, as the pages' formatting does.
           CAST(printf('%.' || CAST(param('precision') AS INTEGER) || 'f', composite_score)
                AS DOUBLE) AS shown
    FROM w
    UNION ALL
    SELECT 'per_10k', w.*, round(w.count / (d.population_k / 10.0), 2),
           round(w.count / (d.population_k / 10.0), 2)
    FROM w JOIN districts AS d ON d.district_code = w.scope_code),
status AS (
    SELECT *, CASE
        WHEN (ranking, scope_code) IN (SELECT (ranking, scope_code) FROM hidden_units)
            THEN 'hidden'
        WHEN count = 0 THEN 'no_requests'
        WHEN count < param('min_requests') THEN 'below_minimum'
        WHEN value IS NULL THEN 'no_measure'
        ELSE 'ranked' END AS status
    FROM units)
SELECT *,
       CASE WHEN status = 'ranked' THEN rank() OVER (
           PARTITION BY scope_level, ranking, status = 'ranked' ORDER BY shown DESC) END AS rank,
       status = 'ranked' AND count(*) OVER (
           PARTITION BY scope_level, ranking, status = 'ranked', shown) > 1 AS tied
FROM status;

SELECT * FROM ranking_units WHERE scope_level = 'district';
