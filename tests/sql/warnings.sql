-- warnings.csv (预警), rule of data/metrics.yml `warnings` with level: category and
-- adjust: city (the test checks the configuration says so):
-- - observed: citizen requests per reference street × category × calendar month;
-- - baseline: the mean of the cell's baseline_months previous months (months with a full
--   baseline inside the data only);
-- - expected = baseline × (rest of the city's count of the category this month / the rest's
--   baseline), the rest being every other street; factor 1 when the rest's baseline is 0;
-- - candidates: observed ≥ min_observed, ≥ min_ratio × expected and > expected. The
--   one-sided Poisson test P(X ≥ observed) < alpha is applied by the test (scipy), which
--   also applies the k rule to `complainants`.
WITH obs AS (
    SELECT street_code, category, month, count(*) AS n,
           count(DISTINCT complainant_key) AS complainants
    FROM prep WHERE source = '市民诉求' GROUP BY ALL),
idx AS (SELECT month, row_number() OVER (ORDER BY month) - 1 AS t FROM months),
grid AS (
    SELECT s.street_code, s.street, s.district, k.category, i.month, i.t,
           coalesce(o.n, 0) AS n, coalesce(o.complainants, 0) AS complainants
    FROM streets AS s CROSS JOIN categories AS k CROSS JOIN idx AS i
    LEFT JOIN obs AS o ON o.street_code = s.street_code AND o.category = k.category
                      AND o.month = i.month),
based AS (
    SELECT *,
           avg(n) OVER (PARTITION BY street_code, category ORDER BY t
                        ROWS BETWEEN CAST(param('baseline_months') AS BIGINT) PRECEDING
                        AND 1 PRECEDING) AS baseline,
           sum(n) OVER (PARTITION BY category, t) AS city_now
    FROM grid),
city AS (
    SELECT category, t, sum(baseline) AS city_base FROM based GROUP BY ALL),
expected AS (
    SELECT b.*, b.city_now - b.n AS rest_now, c.city_base - b.baseline AS rest_base,
           b.baseline * CASE WHEN c.city_base - b.baseline > 0
                             THEN (b.city_now - b.n) / (c.city_base - b.baseline)
                             ELSE 1.0 END AS expected
    FROM based AS b JOIN city AS c USING (category, t)
    WHERE b.t >= param('baseline_months'))
SELECT month AS period, district, street, street_code, category, n AS observed, expected,
       complainants
FROM expected
WHERE n >= param('warning_min_observed') AND n >= param('warning_min_ratio') * expected
  AND n > expected;
