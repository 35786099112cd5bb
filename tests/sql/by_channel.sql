-- by_channel.csv: records per channel of receipt (受理渠道),
-- with its share of the (period, scope) total of the table, over the cuts
-- ('city','all'),('city','quarter'),('city','month'),('district','all');
-- every value of the package schema's enum listed, 0 where none.
WITH cut AS (SELECT * FROM (VALUES
    ('city','all'),('city','quarter'),('city','month'),('district','all')) AS t(scope_level, level)),
c AS (SELECT period, scope_level, scope_code, channel, sum(record) AS count,
             count(DISTINCT complainant_key) AS complainants
      FROM cuts SEMI JOIN cut USING (scope_level, level)
      WHERE record = 1 GROUP BY ALL),
g AS (SELECT p.period, r.scope_level, r.scope, r.scope_code, v.value AS channel
      FROM cut JOIN periods AS p USING (level) JOIN regions AS r USING (scope_level)
      CROSS JOIN (SELECT value FROM vocab WHERE dim = 'channel') AS v)
SELECT g.*, coalesce(c.count, 0) AS count,
       coalesce(c.count, 0) / nullif(sum(coalesce(c.count, 0))
           OVER (PARTITION BY g.period, g.scope_code), 0) AS share,
       coalesce(c.complainants, 0) AS complainants
FROM g LEFT JOIN c USING (period, scope_level, scope_code, channel);
