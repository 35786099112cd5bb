-- hotspots_persistent.csv: places whose qualifying windows in a period come from one
-- complainant (hotspots.sql), per (period, district of the place's earliest request):
-- places, counted requests and the distinct complainants (published only when both places
-- and complainants reach k). Needs hotspots.sql.
SELECT level, period, home_district AS district, count(DISTINCT location_key) AS places,
       count(*) AS requests, count(DISTINCT complainant_key) AS complainants
FROM hotspot_rows WHERE persistent GROUP BY ALL;
