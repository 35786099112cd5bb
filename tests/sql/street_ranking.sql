-- street_ranking.csv: the streets' rows of the ranking_units view of district_ranking.sql
-- (composite score over the ranking window; same status, rank and tie rules).
-- Needs district_ranking.sql.
SELECT * FROM ranking_units WHERE scope_level = 'street' AND ranking = 'composite_score';
