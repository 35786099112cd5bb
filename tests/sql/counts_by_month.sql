-- counts_by_month.csv: records per month × district × category over the full grid of final
-- months (every calendar month that is not provisional, prep.sql `provisional`, × every
-- reference district × every taxonomy category, 0 where nothing was received), plus the distinct complainants behind each cell (for the
-- disclosure check: a visible cell never rests on 1..k-1 complainants).
-- Needs prep.sql and the tables `districts(district)` and `categories(element, category)`.
SELECT g.month, g.district, g.element, g.category,
       coalesce(p.count, 0) AS count,
       coalesce(p.complainants, 0) AS complainants
FROM (SELECT m.month, d.district, c.element, c.category
      FROM months AS m CROSS JOIN districts AS d CROSS JOIN categories AS c
      WHERE m.month NOT IN (SELECT month FROM provisional)) AS g
LEFT JOIN (SELECT month, district, element, category,
                  sum(record) AS count, count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL) AS p
    USING (month, district, element, category)
ORDER BY g.month, g.district, g.element, g.category;
