-- by_category.csv: records per category (with its element) over the whole period, its share
-- of all records, and the counts of the latest and the previous calendar month; with
-- distinct complainants behind each count (disclosure check).
WITH latest AS (SELECT max(month) AS m FROM months),
     previous AS (SELECT max(month) AS m FROM months WHERE month < (SELECT m FROM latest)),
     per AS (
        SELECT element, category,
               sum(record) AS count,
               count(DISTINCT complainant_key) AS complainants,
               sum(record) FILTER (WHERE month = (SELECT m FROM latest)) AS latest_month,
               count(DISTINCT complainant_key) FILTER (WHERE month = (SELECT m FROM latest))
                   AS latest_complainants,
               sum(record) FILTER (WHERE month = (SELECT m FROM previous)) AS previous_month,
               count(DISTINCT complainant_key) FILTER (WHERE month = (SELECT m FROM previous))
                   AS previous_complainants
        FROM prep GROUP BY element, category)
SELECT c.element, c.category,
       coalesce(per.count, 0) AS count,
       coalesce(per.count, 0) / (SELECT count(*) FROM prep) AS share,
       coalesce(per.latest_month, 0) AS latest_month,
       coalesce(per.previous_month, 0) AS previous_month,
       coalesce(per.complainants, 0) AS complainants,
       coalesce(per.latest_complainants, 0) AS latest_complainants,
       coalesce(per.previous_complainants, 0) AS previous_complainants
FROM categories AS c
LEFT JOIN per USING (element, category);
