-- monthly_topic_streets.csv (每月一题的街乡分布), the candidates: for each month of
-- data/metrics.yml `topics` that lies in the data and is final (not in prep.sql
-- `provisional`), every reference street with records of the topic category that month:
-- count = records (citizen requests and proactive tasks), complainants = distinct
-- complainants. The test publishes a candidate exactly when complainants ≥ k, the street's
-- total for the quarter is visible in kpis.csv and its district's topic count is visible in
-- monthly_topic.csv.
SELECT t.month, t.category AS topic, s.district, s.street, s.street_code,
       sum(p.record) AS count, count(DISTINCT p.complainant_key) AS complainants,
       any_value(m.quarter) AS quarter
FROM topics AS t JOIN months AS m USING (month)
JOIN prep AS p ON p.month = t.month AND p.category = t.category
JOIN streets AS s ON s.street_code = p.street_code
WHERE t.month NOT IN (SELECT month FROM provisional)
GROUP BY ALL;
