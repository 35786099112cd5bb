-- street_elements.csv: every reference street (keyed by code: names repeat across
-- districts) × element over the whole period.
WITH c AS (SELECT street_code, element, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL)
SELECT 'all' AS period, s.district, s.street, s.street_code, e.element,
       coalesce(c.count, 0) AS count, coalesce(c.complainants, 0) AS complainants
FROM streets AS s CROSS JOIN (SELECT DISTINCT element FROM categories) AS e
LEFT JOIN c ON c.street_code = s.street_code AND c.element = e.element;
