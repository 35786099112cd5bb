"""每月一题's table set: counts, rates with n and intervals, streets. A small frame worked out
by hand, the Chinese refusal of an unknown topic, and (slow) every published figure of the
sample build recomputed by tests/sql/monthly_topic_*.sql."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from generator.config import load_metrics
from generator.errors import ConfigError
from generator.reference import Category, District, Reference, Street
from generator.stats.aggregate import aggregate
from generator.stats.history import ReleaseHistory, ReleaseRecord, TableRecord
from generator.stats.marks import HIDDEN, UNRECORDED
from generator.stats.topics import check_topics, topic_history
from tests.conftest import ROOT, Built
from tests.sql import load, sql

METRICS = dataclasses.replace(load_metrics(ROOT / "data" / "metrics.yml"), min_complainants=3,
                              topics={"2026-03": "油烟"})
REF = Reference(
    districts=(District("A1", "甲区", 100, 0, 0), District("B2", "乙区", None, 0, 1),
               District("C3", "丙区", 50, 0, 2)),
    streets=(Street("A1001", "一街道", "A1", "甲区", "街道"),
             Street("B2001", "二街道", "B2", "乙区", "街道"),
             Street("C3001", "三街道", "C3", "丙区", "镇")),
    categories=(Category("噪声扰民", "噪声", "guides/noise.md"),
                Category("油烟", "大气", "guides/fumes.md")),
)
STREET = {"甲区": ("A1", "一街道", "A1001"), "乙区": ("B2", "二街道", "B2001"),
          "丙区": ("C3", "三街道", "C3001")}
Row = tuple[str, str, str, str, bool, str]
"""(day, district, category, complainant, contacted, satisfaction) of a closed citizen
request, followed up validly and resolved."""


def _frame(rows: list[Row]) -> pd.DataFrame:
    received = pd.Series(pd.to_datetime([r[0] + " 08:00" for r in rows]))
    return pd.DataFrame({
        "received_at": received, "closed_at": received + pd.Timedelta(hours=10),
        "status": "已办结", "source": "市民诉求", "urgency": "一般",
        "district": [r[1] for r in rows], "district_code": [STREET[r[1]][0] for r in rows],
        "street": [STREET[r[1]][1] for r in rows],
        "street_code": [STREET[r[1]][2] for r in rows],
        "channel": "网络", "handling_level": "街乡", "escalated": False,
        "location_key": [f"L{i}" for i in range(len(rows))],
        "contacted_at": received + pd.Timedelta(hours=1),
        "element": [{"噪声扰民": "噪声", "油烟": "大气"}[r[2]] for r in rows],
        "category": [r[2] for r in rows],
        "complainant_key": pd.Series([r[3] for r in rows], dtype=object),
        "revisit_valid": True, "contacted": [r[4] for r in rows], "resolved": True,
        "satisfaction": [r[5] for r in rows],
    })


def _rows() -> list[Row]:
    rows: list[Row] = []
    for day in ("2026-01-10", "2026-02-10", "2026-03-10"):  # 3 noise requests per district-month
        for district in STREET:
            rows += [(day, district, "噪声扰民", f"N{district}{day}{i}", True, "满意")
                     for i in range(3)]
    # The topic 油烟 in March: 甲区 4 (one not contacted; 满意 2, 基本满意 1, 不满意 1),
    # 乙区 2 complainants (< k = 3), 丙区 3.
    rows += [("2026-03-11", "甲区", "油烟", "F1", True, "满意"),
             ("2026-03-11", "甲区", "油烟", "F2", True, "满意"),
             ("2026-03-11", "甲区", "油烟", "F3", True, "基本满意"),
             ("2026-03-11", "甲区", "油烟", "F4", False, "不满意"),
             ("2026-03-12", "乙区", "油烟", "F5", True, "满意"),
             ("2026-03-12", "乙区", "油烟", "F6", True, "满意"),
             ("2026-03-12", "丙区", "油烟", "F7", True, "满意"),
             ("2026-03-12", "丙区", "油烟", "F8", True, "满意")]
    rows.append(("2026-03-31", "丙区", "油烟", "F9", True, "满意"))  # March is complete
    return rows


def _wilson(x: float, n: float) -> tuple[float, float]:
    z = 1.959963984540054
    centre = (x / n + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(x / n * (1 - x / n) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_the_topic_table_set_by_hand() -> None:
    agg = aggregate(_frame(_rows()), METRICS, REF)
    counts = agg.analyses["monthly_topic"].set_index("district")["count"].to_dict()
    assert counts["全市"] == 9 and counts["甲区"] == 4
    # 乙区 rests on 2 complainants; 全市 − 甲区 would give it away, so one more is hidden:
    # the cheaper 丙区 (3).
    assert counts["乙区"] is HIDDEN and counts["丙区"] is HIDDEN
    rates = agg.analyses["monthly_topic_rates"]
    assert len(rates) == 4 * 3  # 全市 and three districts × three rates
    city = rates[rates["district"] == "全市"].set_index("metric")
    w = METRICS.basic_satisfied_weight
    # 全市: n = 9 follow-ups; contacted 8, resolved 9, satisfied 7 + w (甲区's 基本满意).
    for metric, x in (("responded_rate", 8), ("resolved_rate", 9),
                      ("satisfied_rate", 7 + w)):
        row = city.loc[metric]
        assert row["n"] == 9 and row["value"] == pytest.approx(x / 9)
        low, high = _wilson(x, 9)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    a1 = rates[rates["district"] == "甲区"].set_index("metric")
    assert a1.loc["responded_rate", "value"] == pytest.approx(3 / 4)
    assert a1.loc["satisfied_rate", "value"] == pytest.approx((2 + w) / 4)
    assert a1["n"].tolist() == [4, 4, 4]
    for district in ("乙区", "丙区"):  # n family: 乙区 < k, 丙区 its complement
        part = rates[rates["district"] == district]
        assert (part[["value", "n", "ci_low", "ci_high"]] == HIDDEN).all().all(), district
    streets = agg.analyses["monthly_topic_streets"]
    # Only 一街道 rests on ≥ 3 complainants in a district whose topic count is published.
    assert streets.to_dict("records") == [{
        "month": "2026-03", "topic": "油烟", "district": "甲区", "street": "一街道",
        "street_code": "A1001", "count": 4}]


def _earlier(n_by_district: dict[str, str]) -> ReleaseHistory:
    """An earlier release that published March's topic n as given (numbers or tokens)."""
    rows = {("2026-03", "油烟", d, "responded_rate"): ("1", n, "0.5", "1")
            for d, n in n_by_district.items()}
    table = TableRecord("month", ("month", "topic", "district", "metric"),
                        ("value", "n", "ci_low", "ci_high"), rows)
    return ReleaseHistory((ReleaseRecord("2026-03", (), {"monthly_topic_rates": table}),))


def _n(agg: object) -> dict[str, object]:
    rates = agg.analyses["monthly_topic_rates"]  # type: ignore[attr-defined]
    part = rates[rates["metric"] == "responded_rate"]
    return dict(zip(part["district"], part["n"], strict=True))


def test_earlier_releases_keep_the_topic_n_pattern() -> None:
    # 丙区's n was published (3): it stays, and 甲区 is hidden in its place to cover 乙区.
    n = _n(aggregate(_frame(_rows()), METRICS, REF, history=_earlier({"丙区": "3"})))
    assert n == {"全市": 9, "甲区": HIDDEN, "乙区": HIDDEN, "丙区": 3}
    # 甲区's n was hidden: it stays hidden, and covers 乙区 (丙区 need not be hidden).
    n = _n(aggregate(_frame(_rows()), METRICS, REF,
                     history=_earlier({"甲区": "suppressed"})))
    assert n["甲区"] is HIDDEN and n["乙区"] is HIDDEN and n["全市"] == 9
    # Another topic recorded for the month is another family: no constraint from it.
    other = dataclasses.replace(METRICS, topics={"2026-03": "噪声扰民"})
    assert topic_history(_earlier({"丙区": "3"}), REF, other.topics) is not None
    assert topic_history(_earlier({"丙区": "3"}), REF, other.topics).empty  # type: ignore[union-attr]


def test_a_provisional_month_lists_only_the_city() -> None:
    agg = aggregate(_frame(_rows()), METRICS, REF, provisional=("2026-03",))
    assert agg.analyses["monthly_topic_rates"]["district"].unique().tolist() == ["全市"]
    assert agg.analyses["monthly_topic_streets"].empty


def test_without_follow_up_columns_the_topic_rates_are_unrecorded() -> None:
    fields = ("revisit_valid", "contacted", "resolved", "satisfaction")
    data = _frame(_rows())
    for name in fields:
        data[name] = pd.Series([None] * len(data), dtype=object)
    rates = aggregate(data, METRICS, REF, unrecorded=fields).analyses["monthly_topic_rates"]
    assert len(rates) == 12
    assert (rates[["value", "n", "ci_low", "ci_high"]] == UNRECORDED).all().all()


def test_an_unknown_topic_is_refused_in_chinese() -> None:
    wrong = dataclasses.replace(METRICS, topics={"2026-03": "噪音扰民"})
    with pytest.raises(ConfigError) as caught:
        check_topics(wrong, REF)
    assert str(caught.value) == (
        "指标配置（metrics.yml）的 topics.2026-03 写的类别“噪音扰民”不在分类表"
        "（taxonomy.yml）中。请改为分类表中的类别名称，例如 噪声扰民。")
    with pytest.raises(ConfigError, match=r"topics\.2026-03"):
        aggregate(_frame(_rows()), wrong, REF)


# --- the sample build, recomputed -------------------------------------------------------

HIDDEN_CSV, NA = "suppressed", "NA"


@pytest.fixture(scope="module")
def db(built: Built) -> Iterator[tuple[Any, int]]:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    metrics = load(con, built.package, ROOT)
    con.execute(sql("prep"))
    con.execute(sql("kpis"))
    yield con, int(metrics["disclosure"]["min_complainants"])
    con.close()


def _rows_of(con: Any, name: str) -> list[dict[str, Any]]:
    cur = con.execute(sql(name))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _csv(built: Built, name: str) -> list[dict[str, str]]:
    import csv

    with (built.site / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_sample_rates_are_recomputed(built: Built, db: tuple[Any, int]) -> None:
    con, k = db
    true = {(r["month"], r["topic"], r["district"], r["metric"]): r
            for r in _rows_of(con, "monthly_topic_rates")}
    pub = _csv(built, "monthly_topic_rates")
    keys = [(r["month"], r["topic"], r["district"], r["metric"]) for r in pub]
    assert len(set(keys)) == len(keys) and set(keys) == set(true)
    assert true, "the sample has topic months"
    shown = 0
    for key, row in zip(keys, pub, strict=True):
        t = true[key]
        if row["n"] == HIDDEN_CSV:  # a hidden n hides the rate and its interval
            assert all(row[c] == HIDDEN_CSV for c in ("value", "ci_low", "ci_high")), key
            continue
        assert t["complainants"] >= k or t["n"] == 0, (key, "published below k")
        assert int(row["n"]) == t["n"], key
        for column in ("value", "ci_low", "ci_high"):
            if t[column] is None:
                assert row[column] == NA, (key, column)
            else:
                assert float(row[column]) == pytest.approx(t[column], rel=1e-9), (key, column)
        shown += 1
    # n on 1..k−1 complainants is always hidden.
    small = {key for key, t in true.items() if 0 < t["complainants"] < k}
    assert all(dict(zip(keys, pub, strict=True))[key]["n"] == HIDDEN_CSV for key in small)
    print(f"\nmonthly_topic_rates: {shown} of {len(pub)} rows shown")


@pytest.mark.slow
def test_sample_streets_are_recomputed(built: Built, db: tuple[Any, int]) -> None:
    """Published exactly when the street's topic count rests on ≥ k complainants (final
    months), its quarter total is visible in kpis.csv and its district's topic count is
    visible in monthly_topic.csv; counts equal their recomputation."""
    con, k = db
    candidates = {(r["month"], r["street_code"]): r for r in _rows_of(con, "monthly_topic_streets")}
    totals = {(r["period"], r["scope_code"]): r["value"] for r in _csv(built, "kpis")
              if r["scope_level"] == "street" and r["metric"] == "total"}
    district = {(r["month"], r["district"]): r["count"] for r in _csv(built, "monthly_topic")}
    expected = {key for key, t in candidates.items() if t["complainants"] >= k
                and totals.get((t["quarter"], key[1]), HIDDEN_CSV) != HIDDEN_CSV
                and district.get((key[0], t["district"]), HIDDEN_CSV) != HIDDEN_CSV}
    pub = _csv(built, "monthly_topic_streets")
    shown = {(r["month"], r["street_code"]): r for r in pub}
    assert len(shown) == len(pub) and set(shown) == expected, set(shown) ^ expected
    for key, row in shown.items():
        t = candidates[key]
        assert (row["topic"], row["district"], row["street"]) == (
            t["topic"], t["district"], t["street"]), key
        assert int(row["count"]) == t["count"], key
    print(f"\nmonthly_topic_streets: {len(shown)} of {len(candidates)} candidate streets, "
          f"{sum(t['complainants'] >= k for t in candidates.values())} on >= k")
