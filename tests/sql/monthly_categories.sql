-- monthly_categories.csv: 全市 records per calendar month × category (with its element).
WITH c AS (SELECT month AS period, element, category, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL)
SELECT m.month AS period, k.element, k.category, coalesce(c.count, 0) AS count,
       coalesce(c.complainants, 0) AS complainants
FROM months AS m CROSS JOIN categories AS k
LEFT JOIN c ON c.period = m.month AND c.element = k.element AND c.category = k.category;
