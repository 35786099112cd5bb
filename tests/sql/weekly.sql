-- weekly.csv: 全市 records per week part × element. A week part runs Monday–Sunday, cut at
-- month boundaries, and is labelled by its first day (the 1st of a month or a Monday).
WITH c AS (SELECT week AS period, element, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL)
SELECT p.period, e.element, coalesce(c.count, 0) AS count,
       coalesce(c.complainants, 0) AS complainants
FROM periods AS p CROSS JOIN (SELECT DISTINCT element FROM categories) AS e
LEFT JOIN c ON c.period = p.period AND c.element = e.element
WHERE p.level = 'week';
