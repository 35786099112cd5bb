"""Declared tables: periods, complete grids and canonical keys, worked out by hand."""

from __future__ import annotations

import pandas as pd

from generator.reference import Category, District, Reference, Street
from generator.stats.cells import Grid, table_cells, week_starts
from generator.stats.periods import Calendar, period_columns, quarter_window, week_parts
from generator.stats.tables import DIMENSIONS, TABLES, Cut, TableSpec

REF = Reference(
    districts=(District("A1", "甲区", 100, 0, 0), District("B2", "乙区", None, 0, 1)),
    streets=(Street("A1001", "一街道", "A1", "甲区", "街道"),
             Street("A1002", "二街道", "A1", "甲区", "街道"),
             Street("B2001", "一街道", "B2", "乙区", "镇")),  # the same name in another district
    categories=(Category("噪声扰民", "噪声", "guides/noise.md"),
                Category("油烟", "大气", "guides/fumes.md"),
                Category("扬尘", "大气", "guides/dust.md")),
)


def test_week_parts_start_on_monday_or_the_first_of_the_month() -> None:
    stamps = pd.Series(pd.to_datetime(["2026-10-01 09:00", "2026-10-04 23:59", "2026-10-05 00:00",
                                       "2026-10-31 12:00", "2026-11-01 08:00"]))
    # 2026-10-01 is a Thursday: its part runs to Sunday the 4th; Monday the 5th starts the next;
    # the 26th (Monday) starts the last October part; 1 November starts a new part.
    assert week_parts(stamps).tolist() == ["2026-10-01", "2026-10-01", "2026-10-05",
                                           "2026-10-26", "2026-11-01"]
    assert week_starts(["2026-10"]) == ["2026-10-01", "2026-10-05", "2026-10-12", "2026-10-19",
                                        "2026-10-26"]


def test_periods_of_each_record() -> None:
    stamps = pd.Series(pd.to_datetime(["2025-12-31 23:00", "2026-02-01 00:00"]))
    columns = period_columns(stamps)
    assert columns["month"].tolist() == ["2025-12", "2026-02"]
    assert list(columns["month"].cat.categories) == ["2025-12", "2026-01", "2026-02"]  # a gap
    assert columns["quarter"].tolist() == ["2025Q4", "2026Q1"]
    assert columns["year"].tolist() == ["2025", "2026"]


def test_the_ranking_window_is_made_of_whole_quarters() -> None:
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
    to_oct = months[10:34]  # 2024-11 … 2026-10
    assert quarter_window(to_oct, 12) == tuple(months[21:33])  # 2025-10 … 2026-09
    assert quarter_window(months[10:33], 12) == tuple(months[21:33])  # ends with September
    # September cut short by the export: the last whole quarter is April–June.
    assert quarter_window(months[10:33], 12, latest_incomplete=True) == tuple(months[18:30])
    assert quarter_window(["2026-01", "2026-02"], 12) == ()
    # Shorter data (2024-11 … 2025-08): the whole quarters only, 2025-01 … 2025-06.
    assert quarter_window(months[10:20], 12) == tuple(months[12:18])


def _prep(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(month, street code, category, channel, complainant) per record."""
    streets = {s.code: s for s in REF.streets}
    element = {c.name: c.element for c in REF.categories}
    frame = pd.DataFrame(rows, columns=["month", "street_code", "category", "channel", "who"])
    return pd.DataFrame({
        "month": frame["month"], "quarter": frame["month"].map(lambda m: "2026Q1"),
        "year": "2026",
        "district": frame["street_code"].map(lambda c: streets[c].district),
        "district_code": frame["street_code"].map(lambda c: streets[c].district_code),
        "street_code": frame["street_code"], "category": frame["category"],
        "element": frame["category"].map(element), "channel": frame["channel"],
        "complainant_key": frame["who"].map({w: i for i, w in enumerate(sorted(set(frame["who"])))}
                                            ).astype(float),
        "record": 1,
    })


def test_a_breakdown_lists_every_combination_with_zeros_and_keys() -> None:
    prep = _prep([("2026-01", "A1001", "油烟", "网络", "p"),
                  ("2026-01", "A1002", "油烟", "网络", "q"),
                  ("2026-02", "B2001", "扬尘", "来信", "p")])
    grid = Grid(Calendar.spanning(["2026-01", "2026-02"]), REF)
    spec = TableSpec("t", "表", "行", (Cut("district", ("all", "month")),), ("element",))
    cells = table_cells(spec, prep, grid)
    # 2 districts × (all + 2 months) × 2 elements, zeros included.
    assert len(cells) == 2 * 3 * 2
    row = cells[(cells["period"] == "2026-01") & (cells["scope"] == "甲区")
                & (cells["element"] == "大气")].iloc[0]
    assert (row["count"], row["complainants"]) == (2, 2)
    assert (row["time_key"], row["region_key"], row["subject_key"], row["side_key"]) == (
        "2026-01", "A1", "e:大气", "")
    zero = cells[(cells["period"] == "2026-01") & (cells["scope"] == "乙区")]
    assert zero["count"].tolist() == [0, 0]
    whole = cells[(cells["period"] == "all") & (cells["scope"] == "乙区")
                  & (cells["element"] == "大气")].iloc[0]
    assert whole["count"] == 1


def test_side_dimensions_carry_their_values_in_the_key() -> None:
    prep = _prep([("2026-01", "A1001", "油烟", "网络", "p")])
    grid = Grid(Calendar.spanning(["2026-01"]), REF)
    spec = next(s for s in TABLES if s.name == "by_channel")
    cells = table_cells(spec, prep, grid)
    city = cells[(cells["period"] == "all") & (cells["scope_level"] == "city")]
    assert city["side_key"].tolist() == [f"channel={c}" for c in city["channel"]]
    assert city.set_index("channel")["count"].to_dict()["网络"] == 1
    assert spec.family == "channel"


def test_every_declared_dimension_is_documented() -> None:
    for spec in TABLES:
        for dim in spec.dims:
            assert DIMENSIONS[dim].title and DIMENSIONS[dim].description, dim
        assert spec.title and spec.description and spec.cuts, spec.name
    assert len({s.name for s in TABLES}) == len(TABLES)
