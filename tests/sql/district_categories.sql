-- district_categories.csv: every reference district × category over the whole period
-- ('all') and each calendar year ('YYYY').
WITH c AS (SELECT period, district_code, element, category, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep_periods WHERE level IN ('all', 'year') GROUP BY ALL)
SELECT p.period, d.district, d.district_code, k.element, k.category,
       coalesce(c.count, 0) AS count, coalesce(c.complainants, 0) AS complainants
FROM periods AS p CROSS JOIN districts AS d CROSS JOIN categories AS k
LEFT JOIN c ON c.period = p.period AND c.district_code = d.district_code
           AND c.category = k.category AND c.element = k.element
WHERE p.level IN ('all', 'year');
