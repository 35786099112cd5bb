-- district_ranking.csv (and, through the view, street_ranking.csv): units over the ranking
-- window (kpis.sql, period = the window label) by composite score, and districts by
-- requests per 10,000 residents (count / (population_k / 10), 2 decimals). Rules
-- (stats.ranking docstring, methodology page): status hidden when the test's
-- `published_units(ranking, scope_code, hidden, value)` (the published files' rows) marks
-- the unit hidden, no_requests for 0 requests, below_minimum under ranking.min_requests,
-- else ranked; values compared as shown (rounded to ranking.precision decimals, per_10k to
-- 2); competition rank = 1 + units strictly better; tied when another ranked unit shows
-- the same value.
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
           composite_score * 10 ^ param('precision') AS scaled,
           param('precision') AS digits
    FROM w
    UNION ALL
    SELECT 'per_10k', w.*, round(w.count / (d.population_k / 10.0), 2),
           round(w.count / (d.population_k / 10.0), 2) * 100, 2
    FROM w JOIN districts AS d ON d.district_code = w.scope_code),
status AS (
    SELECT *, CASE
        WHEN (ranking, scope_code) IN (SELECT (ranking, scope_code) FROM published_units
                                  WHERE hidden)
            THEN 'hidden'
        WHEN count = 0 THEN 'no_requests'
        WHEN count < param('min_requests') THEN 'below_minimum'
        WHEN value IS NULL THEN 'no_measure'
        ELSE 'ranked' END AS status
    FROM units),
-- The shown value as an interval [lo, hi]: one value, except within 1e-6 of an exact
-- .x5, where float summation order (not the definition) decides which way it rounds.
bounds AS (
    SELECT *, abs(scaled - floor(scaled) - 0.5) < 1e-6 AS ambiguous,
           CASE WHEN abs(scaled - floor(scaled) - 0.5) < 1e-6 THEN floor(scaled)
                ELSE round(scaled) END / 10 ^ digits AS lo,
           CASE WHEN abs(scaled - floor(scaled) - 0.5) < 1e-6 THEN floor(scaled) + 1
                ELSE round(scaled) END / 10 ^ digits AS hi
    FROM status)
-- Competition rank = 1 + units strictly better: between 1 + those certainly better and
-- 1 + those possibly better (equal when no boundary case is involved).
SELECT b.*,
       CASE WHEN b.status = 'ranked' THEN 1 + (
           SELECT count(*) FROM bounds AS o WHERE o.status = 'ranked'
             AND o.scope_level = b.scope_level AND o.ranking = b.ranking AND o.lo > b.hi) END
           AS rank_min,
       CASE WHEN b.status = 'ranked' THEN 1 + (
           SELECT count(*) FROM bounds AS o WHERE o.status = 'ranked'
             AND o.scope_level = b.scope_level AND o.ranking = b.ranking AND o.hi > b.lo
             AND o.scope_code <> b.scope_code) END AS rank_max,
       b.status = 'ranked' AND EXISTS (
           SELECT 1 FROM bounds AS o WHERE o.status = 'ranked'
             AND o.scope_level = b.scope_level AND o.ranking = b.ranking
             AND o.scope_code <> b.scope_code AND o.lo = b.lo AND o.hi = b.hi) AS tied,
       b.status = 'ranked' AND EXISTS (
           SELECT 1 FROM bounds AS o WHERE o.status = 'ranked'
             AND o.scope_level = b.scope_level AND o.ranking = b.ranking
             AND o.scope_code <> b.scope_code AND o.lo <= b.hi AND o.hi >= b.lo
             AND (o.ambiguous OR b.ambiguous)) AS tie_uncertain
FROM bounds AS b;

SELECT * FROM ranking_units WHERE scope_level = 'district';
