-- Per-record flags every published figure is counted from, written from the definitions in
-- README.md ("Open data"), data/metrics.yml and the stats docstrings.
-- Inputs created by the test: `complaints` (the package CSV, all columns as text; empty
-- cells are NULL), `params(name, value)` (basic_satisfied_weight from data/metrics.yml) and
-- `deadlines(urgency, hours)` (data/metrics.yml deadlines_hours).
CREATE OR REPLACE VIEW prep AS
SELECT
    strftime(CAST(c.received_at AS TIMESTAMP), '%Y-%m') AS month,
    c.district,
    c.element,
    c.category,
    c.complainant_key,                                   -- NULL for proactive tasks
    1 AS record,
    CAST(c.status = '已办结' AS INTEGER) AS closed,
    -- 有效回访: a closed citizen request whose follow-up call was valid.
    CAST(c.status = '已办结' AND c.source = '市民诉求' AND c.revisit_valid = '是' AS INTEGER)
        AS valid,
    CAST(c.status = '已办结' AND c.source = '市民诉求' AND c.revisit_valid = '是'
         AND c.contacted = '是' AS INTEGER) AS contacted_ok,
    CAST(c.status = '已办结' AND c.source = '市民诉求' AND c.revisit_valid = '是'
         AND c.resolved = '是' AS INTEGER) AS resolved_ok,
    -- 满意 counts 1, 基本满意 counts the configured weight, anything else 0.
    CASE WHEN c.status = '已办结' AND c.source = '市民诉求' AND c.revisit_valid = '是' THEN
        CASE c.satisfaction
            WHEN '满意' THEN 1.0
            WHEN '基本满意' THEN (SELECT value FROM params WHERE name = 'basic_satisfied_weight')
            ELSE 0.0 END
    ELSE 0.0 END AS satisfied_score,
    -- On time: closed within the urgency class's deadline (hours from receipt to closure).
    CAST(c.status = '已办结' AND coalesce(
        epoch(CAST(c.closed_at AS TIMESTAMP) - CAST(c.received_at AS TIMESTAMP)) / 3600.0
            <= d.hours, FALSE) AS INTEGER) AS ontime,
    -- Distinct complainants behind 有效回访 (the disclosure unit of the rates).
    CASE WHEN c.status = '已办结' AND c.source = '市民诉求' AND c.revisit_valid = '是'
         THEN c.complainant_key END AS valid_complainant
FROM complaints AS c
LEFT JOIN deadlines AS d ON d.urgency = c.urgency;

-- Every calendar month from the first to the last month of receipt (gaps included).
CREATE OR REPLACE VIEW months AS
SELECT strftime(m, '%Y-%m') AS month
FROM (SELECT range AS m FROM range(
        (SELECT date_trunc('month', min(CAST(received_at AS TIMESTAMP))) FROM complaints),
        (SELECT date_trunc('month', max(CAST(received_at AS TIMESTAMP))) FROM complaints)
            + INTERVAL 1 MONTH,
        INTERVAL 1 MONTH));
