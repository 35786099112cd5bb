-- monthly_topic.csv (每月一题): for each month of data/metrics.yml `topics` that lies in the
-- data, the topic category's records in the whole city (全市, the current month included) and,
-- once the month is final (counts_by_month holds provisional months back), in every
-- reference district. Needs `topics(month, category)`.
WITH c AS (SELECT month, district, category, sum(record) AS count,
                  count(DISTINCT complainant_key) AS complainants
           FROM prep GROUP BY ALL),
city AS (SELECT month, category, sum(record) AS count,
                count(DISTINCT complainant_key) AS complainants
         FROM prep GROUP BY ALL)
SELECT t.month, t.category AS topic, '全市' AS district, coalesce(c.count, 0) AS count,
       coalesce(c.complainants, 0) AS complainants
FROM topics AS t JOIN months AS m USING (month)
LEFT JOIN city AS c ON c.month = t.month AND c.category = t.category
UNION ALL
SELECT t.month, t.category AS topic, d.district, coalesce(c.count, 0) AS count,
       coalesce(c.complainants, 0) AS complainants
FROM topics AS t JOIN months AS m USING (month) CROSS JOIN districts AS d
LEFT JOIN c ON c.month = t.month AND c.district = d.district AND c.category = t.category
WHERE t.month NOT IN (SELECT month FROM provisional);
