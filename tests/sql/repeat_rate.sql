-- repeat_rate.csv (重复诉求率, "closed is not resolved"): of the closed citizen requests that
-- name a place, those followed by another citizen request at the same location_key received
-- strictly after the closure and at most hotspot_window_days × 24 h after it. Closures
-- later than (last receipt − window) are left out of both sides. Periods: month of closure
-- (every month from the first to the last such month) and 'all'; scopes 全市 and every
-- reference district (of the closed request). Complainants behind the denominator (k rule).
WITH citizen AS (
    SELECT * FROM prep WHERE source = '市民诉求' AND location_key IS NOT NULL),
closed AS (
    -- The first citizen receipt at the same place strictly after the closure (ASOF join).
    SELECT c.*, strftime(c.closed_ts, '%Y-%m') AS closure_month,
           coalesce(n.received <= c.closed_ts + to_seconds(
               CAST(param('hotspot_window_days') * 86400 AS BIGINT)), FALSE) AS repeated_flag
    FROM (SELECT * FROM citizen
          WHERE closed = 1 AND closed_ts IS NOT NULL
            AND closed_ts + to_seconds(CAST(param('hotspot_window_days') * 86400 AS BIGINT))
                <= (SELECT last_received FROM cutoff)) AS c
    ASOF LEFT JOIN (SELECT location_key, received FROM citizen) AS n
        ON c.location_key = n.location_key AND c.closed_ts < n.received),
scoped AS (
    SELECT closure_month AS period, '全市' AS scope, * FROM closed
    UNION ALL SELECT closure_month, district, * FROM closed
    UNION ALL SELECT 'all', '全市', * FROM closed
    UNION ALL SELECT 'all', district, * FROM closed),
c AS (SELECT period, scope, sum(CAST(repeated_flag AS INTEGER)) AS repeated,
             count(*) AS closed, count(DISTINCT complainant_key) AS complainants
      FROM scoped GROUP BY ALL),
cal AS (SELECT strftime(range, '%Y-%m') AS period FROM range(
            (SELECT date_trunc('month', min(closed_ts)) FROM closed),
            (SELECT date_trunc('month', max(closed_ts)) FROM closed) + INTERVAL 1 MONTH,
            INTERVAL 1 MONTH)
        UNION ALL SELECT 'all'),
g AS (SELECT cal.period, s.scope FROM cal
      CROSS JOIN (SELECT '全市' AS scope UNION ALL SELECT district FROM districts) AS s)
SELECT g.period, g.scope, coalesce(c.repeated, 0) AS repeated, coalesce(c.closed, 0) AS closed,
       c.repeated / nullif(c.closed, 0) AS value,
       wilson_low(c.repeated, c.closed) AS ci_low, wilson_high(c.repeated, c.closed) AS ci_high,
       coalesce(c.complainants, 0) AS complainants
FROM g LEFT JOIN c USING (period, scope);
