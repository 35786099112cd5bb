-- Per-record flags every published figure is counted from, written from the definitions in
-- data/metrics.yml (`definitions`), the methodology page and the stats module docstrings.
-- Inputs created by the test (tests/test_sql_recompute.py, or benchmarks/bench_engine.py):
--   complaints   the package CSV, all columns as text (empty cells NULL), plus `rn`, the
--                row's position in the file (ties in time are broken by file order);
--   params(name, value)            basic_satisfied_weight, w_<rate> composite weights,
--                                  window_months, min_requests, precision, hotspot_window_days,
--                                  hotspot_min_requests, baseline_months, k;
--   deadlines(urgency, hours, ord) data/metrics.yml deadlines_hours, in its order;
--   districts(district, district_code, population_k)   data/reference/districts.csv;
--   streets(street_code, street, district_code, district) data/reference/streets.csv;
--   categories(element, category, ord)                 data/reference/taxonomy.yml order;
--   vocab(dim, value)   the package schema's enums of channel, source, handling_level.
CREATE OR REPLACE MACRO param(n) AS (SELECT value FROM params WHERE name = n);

CREATE OR REPLACE TABLE prep AS
SELECT
    c.rn,
    CAST(c.received_at AS TIMESTAMP) AS received,
    CAST(c.closed_at AS TIMESTAMP) AS closed_ts,
    CAST(c.contacted_at AS TIMESTAMP) AS contacted_ts,
    strftime(CAST(c.received_at AS TIMESTAMP), '%Y-%m') AS month,
    strftime(CAST(c.received_at AS TIMESTAMP), '%Y') || 'Q'
        || CAST(quarter(CAST(c.received_at AS TIMESTAMP)) AS VARCHAR) AS quarter,
    strftime(CAST(c.received_at AS TIMESTAMP), '%Y') AS year,
    -- Week part: the later of the week's Monday and the month's first day.
    strftime(greatest(date_trunc('week', CAST(c.received_at AS TIMESTAMP)),
                      date_trunc('month', CAST(c.received_at AS TIMESTAMP))), '%Y-%m-%d')
        AS week,
    CAST(hour(CAST(c.received_at AS TIMESTAMP)) AS INTEGER) AS hour,
    CAST(isodow(CAST(c.received_at AS TIMESTAMP)) AS INTEGER) AS weekday,
    c.district, c.district_code, c.street, c.street_code, c.element, c.category,
    c.channel, c.source, c.handling_level, c.urgency, c.location_key,
    c.complainant_key,                                   -- NULL for proactive tasks
    1 AS record,
    CAST(c.source = '市民诉求' AS INTEGER) AS citizen,
    CAST(c.source <> '市民诉求' AS INTEGER) AS proactive,
    CAST(c.escalated = '是' AS INTEGER) AS escalated,
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
            WHEN '基本满意' THEN param('basic_satisfied_weight')
            ELSE 0.0 END
    ELSE 0.0 END AS satisfied_score,
    -- On time: closed within the urgency class's deadline (hours from receipt to closure).
    CAST(c.status = '已办结' AND coalesce(
        epoch(CAST(c.closed_at AS TIMESTAMP) - CAST(c.received_at AS TIMESTAMP)) / 3600.0
            <= d.hours, FALSE) AS INTEGER) AS ontime,
    -- Distinct complainants behind 有效回访 and behind closed requests (the disclosure units
    -- of the three rates and of the on-time rate).
    CASE WHEN c.status = '已办结' AND c.source = '市民诉求' AND c.revisit_valid = '是'
         THEN c.complainant_key END AS valid_complainant,
    CASE WHEN c.status = '已办结' THEN c.complainant_key END AS closed_complainant
FROM complaints AS c
LEFT JOIN deadlines AS d ON d.urgency = c.urgency;

-- Every calendar month from the first to the last month of receipt (gaps included), with
-- its quarter and year.
CREATE OR REPLACE TABLE months AS
SELECT strftime(m, '%Y-%m') AS month,
       strftime(m, '%Y') || 'Q' || CAST(quarter(m) AS VARCHAR) AS quarter,
       strftime(m, '%Y') AS year,
       m AS first_day
FROM (SELECT range AS m FROM range(
        (SELECT date_trunc('month', min(received)) FROM prep),
        (SELECT date_trunc('month', max(received)) FROM prep) + INTERVAL 1 MONTH,
        INTERVAL 1 MONTH));

-- The export's cut-off: the last receipt's date when it falls before the end of its month.
CREATE OR REPLACE TABLE cutoff AS
SELECT max(received) AS last_received,
       CAST(max(received) AS DATE) < last_day(max(received)) AS partial
FROM prep;

-- Provisional months (初步数据): a month is provisional while any request received in it is
-- not 已办结, and the latest month is provisional when the export cuts it short. (The tests
-- hold no earlier releases, so no month is final by an earlier release's record.)
CREATE OR REPLACE TABLE provisional AS
SELECT DISTINCT month FROM prep WHERE closed = 0
UNION
SELECT month FROM months
WHERE month = (SELECT max(month) FROM months) AND (SELECT partial FROM cutoff);

-- Final quarters: all three months in the calendar of the data, none provisional.
CREATE OR REPLACE TABLE final_quarters AS
SELECT quarter FROM months
GROUP BY quarter
HAVING count(*) = 3 AND count(*) FILTER (month IN (SELECT month FROM provisional)) = 0;

-- The ranking window: the latest window_months months ending with the last final quarter,
-- inside the data, starting on a quarter's first month (so it is made of whole quarters).
CREATE OR REPLACE TABLE window_months AS
WITH last_q AS (SELECT max(first_day) AS end_day FROM months
                WHERE quarter = (SELECT max(quarter) FROM final_quarters)),
span AS (
    SELECT m.* FROM months AS m, last_q
    WHERE m.first_day <= last_q.end_day
      AND m.first_day > last_q.end_day
                        - to_months(CAST(param('window_months') AS INTEGER))),
start AS (SELECT min(first_day) AS first FROM span WHERE month(first_day) % 3 = 1)
SELECT month FROM span, start WHERE first_day >= start.first;

CREATE OR REPLACE TABLE window_label AS
SELECT min(month) || '/' || max(month) AS label FROM window_months HAVING count(*) > 0;

-- Every period label of each time level (weeks: every week part of the calendar months).
CREATE OR REPLACE TABLE periods AS
SELECT DISTINCT 'month' AS level, month AS period FROM months
UNION ALL SELECT DISTINCT 'quarter', quarter FROM months
UNION ALL SELECT DISTINCT 'year', year FROM months
UNION ALL SELECT 'all', 'all'
UNION ALL SELECT 'window', label FROM window_label
UNION ALL SELECT 'final_quarter', quarter FROM final_quarters
UNION ALL SELECT 'final_month', month FROM months
          WHERE month NOT IN (SELECT month FROM provisional)
UNION ALL
SELECT 'week', strftime(d, '%Y-%m-%d')
FROM (SELECT range AS d FROM range(
        (SELECT min(first_day) FROM months),
        (SELECT max(first_day) FROM months) + INTERVAL 1 MONTH, INTERVAL 1 DAY))
WHERE dayofmonth(d) = 1 OR isodow(d) = 1;

-- prep with the record's label at every time level, one row per (record, level): joining
-- on (level, period) gives any cut of the calendar.
CREATE OR REPLACE VIEW prep_periods AS
SELECT *, 'month' AS level, month AS period FROM prep
UNION ALL SELECT *, 'quarter', quarter FROM prep
UNION ALL SELECT *, 'year', year FROM prep
UNION ALL SELECT *, 'all', 'all' FROM prep
UNION ALL SELECT *, 'week', week FROM prep
UNION ALL SELECT *, 'final_quarter', quarter FROM prep
          WHERE quarter IN (SELECT quarter FROM final_quarters)
UNION ALL SELECT *, 'window', (SELECT label FROM window_label) FROM prep
          WHERE month IN (SELECT month FROM window_months);

-- prep_periods at every region level: scope_code is 'city', the district or the street code.
-- A query filters on (scope_level, level); DuckDB pushes the filter into the branches.
CREATE OR REPLACE VIEW cuts AS
SELECT *, 'city' AS scope_level, 'city' AS scope_code FROM prep_periods
UNION ALL SELECT *, 'district', district_code FROM prep_periods
UNION ALL SELECT *, 'street', street_code FROM prep_periods;

-- Every region unit of each level: scope name, scope_code, its district.
CREATE OR REPLACE TABLE regions AS
SELECT 'city' AS scope_level, '全市' AS scope, 'city' AS scope_code, '全市' AS district
UNION ALL SELECT 'district', district, district_code, district FROM districts
UNION ALL SELECT 'street', street, street_code, district FROM streets;
