-- monthly_elements.csv: 全市 records per calendar month × element (every element of the
-- taxonomy, 0 where nothing was received), with the distinct complainants behind each.
WITH c AS (SELECT month AS period, element, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL)
SELECT m.month AS period, e.element, coalesce(c.count, 0) AS count,
       coalesce(c.complainants, 0) AS complainants
FROM months AS m CROSS JOIN (SELECT DISTINCT element FROM categories) AS e
LEFT JOIN c ON c.period = m.month AND c.element = e.element;
