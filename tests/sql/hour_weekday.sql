-- hour_weekday.csv: 全市 records over the whole period per element × weekday of receipt
-- (1 = Monday … 7 = Sunday) × hour of receipt (0–23, local time).
WITH c AS (SELECT element, weekday, hour, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL)
SELECT 'all' AS period, e.element, w.weekday, h.hour, coalesce(c.count, 0) AS count,
       coalesce(c.complainants, 0) AS complainants
FROM (SELECT DISTINCT element FROM categories) AS e
CROSS JOIN (SELECT CAST(range AS INTEGER) AS weekday FROM range(1, 8)) AS w
CROSS JOIN (SELECT CAST(range AS INTEGER) AS hour FROM range(24)) AS h
LEFT JOIN c ON c.element = e.element AND c.weekday = w.weekday AND c.hour = h.hour;
