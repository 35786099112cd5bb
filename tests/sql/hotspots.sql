-- hotspots.csv (重点点位) per street and period, from the rule of data/metrics.yml `hotspots`
-- (window_days, min_requests, periods):
-- - citizen requests with a location_key, in order of (location_key, received, file row);
-- - request j *qualifies* when the request min_requests − 1 places before it at the same
--   place was received at most window_days × 24 h earlier;
-- - a request is *counted* in the period (month 'YYYY-MM' / quarter 'YYYYQn') of the
--   earliest qualifying request whose window (itself and the min_requests − 1 before it)
--   holds it;
-- - a place belongs to the street and district of its earliest request;
-- - a (period, place) is persistent when all requests of its qualifying windows ending in
--   the period come from at most one complainant: left out here (hotspots_persistent.sql);
-- - per (period, street): places, counted requests, distinct complainants, main category
--   (most counted; a tie goes to the taxonomy's first).
-- - a row whose period holds a provisional month (prep.sql `provisional`) is not published:
--   fine tables hold 初步数据 back until final.
-- The k rule, complementary hiding and the street's published quarter total decide which
-- of the remaining rows are published; the test checks them.
CREATE OR REPLACE TABLE hotspot_requests AS
WITH base AS (
    SELECT rn, location_key, received, month, quarter, category, complainant_key,
           street_code, district,
           CAST(param('hotspot_min_requests') - 1 AS BIGINT) AS lag_n
    FROM prep WHERE source = '市民诉求' AND location_key IS NOT NULL),
ordered AS (
    SELECT *,
           row_number() OVER w AS pos,
           first_value(street_code) OVER w AS home_street,
           first_value(district) OVER w AS home_district,
           received - lag(received, CAST(param('hotspot_min_requests') - 1 AS BIGINT)) OVER w
               <= to_seconds(CAST(param('hotspot_window_days') * 86400 AS BIGINT))
               AS qualifies
    FROM base WINDOW w AS (PARTITION BY location_key ORDER BY received, rn))
SELECT *, coalesce(qualifies, FALSE) AS q FROM ordered;

-- The owner (earliest qualifying window end holding the request) of every counted request.
CREATE OR REPLACE TABLE hotspot_counted AS
SELECT r.*, o.pos AS owner, o.month AS owner_month, o.quarter AS owner_quarter
FROM hotspot_requests AS r
JOIN LATERAL (
    SELECT min(pos) AS pos, arg_min(month, pos) AS month, arg_min(quarter, pos) AS quarter
    FROM hotspot_requests AS e
    WHERE e.location_key = r.location_key AND e.q
      AND e.pos BETWEEN r.pos AND r.pos + r.lag_n) AS o ON o.pos IS NOT NULL;

-- Persistent (level, period, place): one complainant or none behind every window ending then.
CREATE OR REPLACE TABLE hotspot_persistent_places AS
WITH ends AS (SELECT location_key, pos, lag_n, month, quarter FROM hotspot_requests WHERE q),
members AS (
    SELECT e.month, e.quarter, e.location_key, m.complainant_key
    FROM ends AS e JOIN hotspot_requests AS m
      ON m.location_key = e.location_key AND m.pos BETWEEN e.pos - e.lag_n AND e.pos),
levels AS (SELECT 'month' AS level, month AS period, location_key, complainant_key FROM members
           UNION ALL SELECT 'quarter', quarter, location_key, complainant_key FROM members)
SELECT level, period, location_key, count(DISTINCT complainant_key) <= 1 AS persistent
FROM levels GROUP BY ALL;

CREATE OR REPLACE TABLE hotspot_rows AS
WITH levels AS (
    SELECT 'month' AS level, owner_month AS period, * FROM hotspot_counted
    UNION ALL SELECT 'quarter', owner_quarter, * FROM hotspot_counted)
SELECT l.*, p.persistent
FROM levels AS l JOIN hotspot_persistent_places AS p USING (level, period, location_key)
WHERE l.level IN (SELECT value FROM vocab WHERE dim = 'hotspot_period');

WITH many AS (SELECT * FROM hotspot_rows WHERE NOT persistent),
per_category AS (
    SELECT level, period, home_street, category, count(*) AS n FROM many GROUP BY ALL),
main AS (
    SELECT level, period, home_street,
           arg_min(category, (-n, (SELECT ord FROM categories AS k
                                   WHERE k.category = per_category.category))) AS main_category
    FROM per_category GROUP BY ALL)
SELECT m.level, m.period, s.district, s.street, m.home_street AS street_code,
       count(DISTINCT m.location_key) AS places, count(*) AS requests,
       count(DISTINCT m.complainant_key) AS distinct_complainants, main.main_category
FROM many AS m JOIN main USING (level, period, home_street)
JOIN streets AS s ON s.street_code = m.home_street
WHERE NOT EXISTS (SELECT 1 FROM provisional JOIN months USING (month)
                  WHERE m.period IN (months.month, months.quarter))
GROUP BY m.level, m.period, s.district, s.street, m.home_street, main.main_category;
