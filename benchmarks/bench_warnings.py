"""Measure the early-warning rule: hit rate on planted spikes, false alarms without them, speed.

Generated data follow the bundled sample: every street × category keeps its mean monthly count
from the sample and every category its seasonal profile (city count per calendar month over
its mean); counts are Poisson, or negative binomial with --theta for month-to-month
overdispersion. Complainants are distinct except that 5 % of requests repeat the previous
complainant of the same cell-month (the sample has 96–99 % distinct).

Spikes are planted in random street × category months (uniform over all cells: most are
small) and a spike is hit when the rule flags its cell (street × category, or the street ×
element holding it) in its month and the warning is publishable (≥ k complainants). False
alarms are warnings on data without spikes per 1,000 street-months tested.

    python benchmarks/bench_warnings.py                     # figures + the evaluation YAML
    python benchmarks/bench_warnings.py --speed 1000000,10000000
    python benchmarks/bench_warnings.py --metrics data/metrics.yml   # the rule configured there

Deterministic: every draw comes from numpy Generators seeded from --seed.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from generator.config import read_yaml_mapping
from generator.dataset.validate import validate_package
from generator.paths import ProjectPaths
from generator.stats.early_warning import detect_warnings
from generator.stats.early_warning_rule import WarningRule, warning_rule_from_mapping

DEFAULT_RULE = {"level": "category", "baseline_months": 6, "adjust": "city", "alpha": 0.0005,
                "min_ratio": 1.5, "min_observed": 5, "false_alarm_budget": 5}
K = 5
MONTHS = [str(p) for p in pd.period_range("2023-07", "2025-12", freq="M")]  # 30 months
SPIKES = {  # name: (added requests | multiple of the cell's mean, cells with mean ≥, one person)
    "+5 件": (5, None, 0.0, False), "+10 件": (10, None, 0.0, False),
    "+15 件": (15, None, 0.0, False), "×2": (None, 2, 0.0, False), "×3": (None, 3, 0.0, False),
    "×2（月均≥5 件的单元）": (None, 2, 5.0, False), "×3（月均≥5 件的单元）": (None, 3, 5.0, False),
}
ONE_PERSON = "+15 件（同一诉求人）"  # not a hit rate: the share published despite one person
SPIKES[ONE_PERSON] = (15, None, 0.0, True)
PER_REPLICATE = 300  # planted spikes per generated data set


class Model:
    """Street × category monthly rates taken from the sample."""

    def __init__(self, frame: pd.DataFrame) -> None:
        citizen = frame[frame["source"] == "市民诉求"]
        streets = citizen["street_code"].cat.categories
        cats = citizen["category"].cat.categories
        months = citizen["received_at"].dt.to_period("M")
        n_months = months.nunique()
        grid = citizen.groupby(["street_code", "category"], observed=False).size()
        self.mean = grid.to_numpy(dtype=float).reshape(len(streets), len(cats)) / n_months
        by_moy = citizen.groupby([months.dt.month, "category"], observed=False).size()
        per_moy = by_moy.to_numpy(dtype=float).reshape(12, len(cats))
        self.season = (per_moy / per_moy.mean(axis=0, keepdims=True)).T  # category × 1..12
        self.streets = np.asarray(streets.astype(str))
        self.cats = np.asarray(cats.astype(str))
        info = citizen.drop_duplicates("street_code").set_index("street_code")
        self.district = info["district"].astype(str).reindex(streets).to_numpy()
        self.street = info["street"].astype(str).reindex(streets).to_numpy()
        elem = citizen.drop_duplicates("category").set_index("category")["element"]
        self.element = elem.astype(str).reindex(cats).to_numpy()

    def rates(self, months: list[str]) -> np.ndarray:
        """Expected count per street × category × month."""
        moy = np.array([int(m[5:]) - 1 for m in months])
        return np.asarray(self.mean[:, :, None] * self.season[None, :, moy], dtype=float)


def generate(model: Model, rng: np.random.Generator, theta: float | None,
             spike: str | None, first: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A records frame over MONTHS, and the planted spikes as (street, category, month) rows
    in months from index `first` on (the months the rule tests)."""
    rates = model.rates(MONTHS)
    if theta is not None:
        rates = rates * rng.gamma(theta, 1 / theta, rates.shape)
    counts = rng.poisson(rates)
    who_extra = np.zeros(0, dtype=np.int64)
    planted = np.zeros((0, 3), dtype=np.int64)
    if spike is not None:
        added, multiple, min_mean, one_person = SPIKES[spike]
        n_c = counts.shape[1]
        pool = np.flatnonzero(model.mean.ravel() >= min_mean)
        flat = rng.choice(pool, min(PER_REPLICATE, len(pool)), replace=False)
        t = rng.integers(first, len(MONTHS), len(flat))
        planted = np.column_stack([flat // n_c, flat % n_c, t])
        base = rates[planted[:, 0], planted[:, 1], planted[:, 2]]
        extra = (np.full(len(flat), added) if multiple is None
                 else rng.poisson((multiple - 1) * base))
        np.add.at(counts, (planted[:, 0], planted[:, 1], planted[:, 2]), extra)
        who_extra = extra if one_person else who_extra
    return _records(model, counts, rng, planted, who_extra), planted


def _records(model: Model, counts: np.ndarray, rng: np.random.Generator,
             planted: np.ndarray, same_person: np.ndarray) -> pd.DataFrame:
    _, n_c, n_m = counts.shape
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    s, c, m = cell // (n_c * n_m), (cell // n_m) % n_c, cell % n_m
    starts = pd.PeriodIndex(MONTHS, freq="M").to_timestamp().to_numpy()
    days = pd.PeriodIndex(MONTHS, freq="M").days_in_month.to_numpy()
    offset = (rng.random(len(cell)) * days[m] * 86400).astype("timedelta64[s]")
    who = np.arange(len(cell))
    repeat = (rng.random(len(cell)) < 0.05) & np.r_[False, cell[1:] == cell[:-1]]
    idx = np.where(repeat, -1, who)
    who = np.maximum.accumulate(idx)  # a repeat takes the previous complainant's id
    if len(same_person):  # the planted requests of a cell are its last ones: one person
        for (ps, pc, pm), extra in zip(planted, same_person, strict=True):
            where = np.flatnonzero(cell == (ps * n_c + pc) * n_m + pm)[-extra:]
            who[where] = who[where[0]]
    street = pd.Categorical.from_codes(s, pd.Index(model.streets))
    return pd.DataFrame({
        "received_at": starts[m] + offset,
        "district": model.district[s], "street": model.street[s], "street_code": street,
        "element": pd.Categorical(model.element[c]),
        "category": pd.Categorical.from_codes(c, pd.Index(model.cats)),
        "complainant_key": pd.array([f"P{i}" for i in who], dtype="string"),
        "source": "市民诉求",
    })


def run(model: Model, rule: WarningRule, *, replicates: int, seed: int,
        theta: float | None) -> dict[str, Any]:
    """False alarms per 1,000 street-months and hit rate per spike kind."""
    tested = len(model.streets) * (len(MONTHS) - rule.baseline_months)
    alarms = 0
    for r in range(replicates):
        frame, _ = generate(model, np.random.default_rng([seed, r]), theta, None)
        alarms += len(detect_warnings(frame, rule, K, frozenset(), MONTHS))
    hits: dict[str, float] = {}
    for kind, spike in enumerate(SPIKES):
        found = total = 0
        for r in range(replicates):
            frame, planted = generate(model, np.random.default_rng([seed, r, kind + 1]),
                                      theta, spike, rule.baseline_months)
            warnings = detect_warnings(frame, rule, K, frozenset(), MONTHS)
            subject = model.cats if rule.level == "category" else model.element
            flagged = set(zip(warnings["street_code"], warnings[rule.level],
                              warnings["period"], strict=True))
            found += sum((model.streets[s], subject[c], MONTHS[t]) in flagged
                         for s, c, t in planted)
            total += len(planted)
        hits[spike] = round(found / total, 3)
    return {"false_alarms_per_1000_street_months": round(alarms / (tested * replicates) * 1000,
                                                         2),
            "hit_rate": hits}


def speed(model: Model, rule: WarningRule, records: int, seed: int) -> float:
    """Seconds detect_warnings takes on a generated frame of about `records` requests."""
    scaled = Model.__new__(Model)
    scaled.__dict__.update(model.__dict__)
    total = model.rates(MONTHS).sum()
    scaled.mean = model.mean * records / total
    frame, _ = generate(scaled, np.random.default_rng(seed), None, None)
    start = time.perf_counter()
    detect_warnings(frame, rule, K, frozenset(), MONTHS)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=Path, help="read the rule from this metrics.yml")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20241101)
    parser.add_argument("--theta", type=float, help="negative-binomial shape (overdispersion)")
    parser.add_argument("--compare", action="store_true",
                        help="also measure the alternatives (levels, adjustment, alpha)")
    parser.add_argument("--speed", help="comma-separated record counts to time, e.g. 1000000")
    args = parser.parse_args()
    paths = ProjectPaths(Path(__file__).resolve().parents[1])
    report = validate_package(paths.complaints, paths.reference, settings=paths.settings.data)
    if report.frame is None:
        raise SystemExit(f"数据包 {paths.complaints} 未通过校验，请先运行 ecoportal validate")
    model = Model(report.frame)
    rule = warning_rule_from_mapping(DEFAULT_RULE, Path("benchmarks/bench_warnings.py"))
    if args.metrics:
        raw = read_yaml_mapping(args.metrics, "指标配置文件", "")
        rule = warning_rule_from_mapping(raw.get("warnings", {}), args.metrics)
    start = time.perf_counter()
    sample = detect_warnings(report.frame, rule, K, report.unrecorded,
                             [str(p) for p in pd.period_range(
                                 report.frame["received_at"].min().to_period("M"),
                                 report.frame["received_at"].max().to_period("M"), freq="M")])
    print(f"# bundled sample: {len(sample)} warnings in {time.perf_counter() - start:.3f} s")
    variants = [("configured", rule)]
    if args.compare:
        variants += [("level element", replace(rule, level="element")),
                     ("adjust none", replace(rule, adjust="none")),
                     ("alpha 0.01", replace(rule, alpha=0.01)),
                     ("alpha 0.0001", replace(rule, alpha=0.0001)),
                     ("min_ratio 1", replace(rule, min_ratio=1.0))]
    result: dict[str, Any] = {}
    for name, variant in variants:
        start = time.perf_counter()
        figures = run(model, variant, replicates=args.replicates, seed=args.seed,
                      theta=args.theta)
        print(f"# {name}: {figures} ({time.perf_counter() - start:.1f} s)")
        result = result or figures
    for records in (int(n) for n in (args.speed or "").split(",") if n):
        print(f"# detect_warnings on {records:,} records: "
              f"{speed(model, rule, records, args.seed):.2f} s")
    hits = dict(result["hit_rate"])
    print(f"# published share of {ONE_PERSON} (≥ k others in the cell): {hits.pop(ONE_PERSON)}")
    evaluation = {"hit_rate": hits,
                  "false_alarms_per_1000_street_months":
                      result["false_alarms_per_1000_street_months"],
                  "measured_by": "python benchmarks/bench_warnings.py"}
    print(yaml.safe_dump({"evaluation": evaluation}, allow_unicode=True, sort_keys=False))


if __name__ == "__main__":
    main()
