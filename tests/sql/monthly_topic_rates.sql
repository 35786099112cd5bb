-- monthly_topic_rates.csv (每月一题的三率): for each month of data/metrics.yml `topics` that
-- lies in the data, the topic category's 响应率 / 解决率 / 满意率 (definitions as kpis.sql:
-- over 有效回访, 满意 1 and 基本满意 the configured weight; Wilson 95 % intervals, the
-- weighted 满意率 treated as a plain proportion) for 全市 (the current month included) and,
-- once the month is final, every reference district. n = 有效回访; `complainants` = distinct
-- complainants behind n (the k rule). Needs kpis.sql's wilson macros and `topics`.
WITH s AS (SELECT month, category, district, sum(valid) AS valid,
                  sum(contacted_ok) AS contacted_ok, sum(resolved_ok) AS resolved_ok,
                  sum(satisfied_score) AS satisfied_score,
                  count(DISTINCT valid_complainant) AS complainants
           FROM prep GROUP BY GROUPING SETS ((month, category, district), (month, category))),
scopes AS (
    SELECT t.month, t.category, '全市' AS district, 0 AS ord
    FROM topics AS t JOIN months USING (month)
    UNION ALL
    SELECT t.month, t.category, d.district, 1 AS ord
    FROM topics AS t JOIN months USING (month) CROSS JOIN districts AS d
    WHERE t.month NOT IN (SELECT month FROM provisional)),
sums AS (
    SELECT sc.month, sc.category AS topic, sc.district, coalesce(s.valid, 0) AS n,
           coalesce(s.contacted_ok, 0) AS contacted_ok,
           coalesce(s.resolved_ok, 0) AS resolved_ok,
           coalesce(s.satisfied_score, 0) AS satisfied_score,
           coalesce(s.complainants, 0) AS complainants
    FROM scopes AS sc
    LEFT JOIN s ON s.month = sc.month AND s.category = sc.category
               AND s.district IS NOT DISTINCT FROM
                   CASE WHEN sc.ord = 0 THEN NULL ELSE sc.district END),
rates AS (
    SELECT month, topic, district, n, complainants, metric, x
    FROM sums,
         LATERAL (VALUES ('responded_rate', CAST(contacted_ok AS DOUBLE)),
                         ('resolved_rate', CAST(resolved_ok AS DOUBLE)),
                         ('satisfied_rate', CAST(satisfied_score AS DOUBLE))) AS v(metric, x))
SELECT month, topic, district, metric, CASE WHEN n > 0 THEN x / n END AS value, n,
       wilson_low(x, n) AS ci_low, wilson_high(x, n) AS ci_high, complainants
FROM rates;
