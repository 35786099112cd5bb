"""An independent disclosure auditor: the tightest bounds an LP attacker derives, from the
published CSVs of `site/data/` alone, for every hidden count resting on 1..k−1 complainants.

Written from the published definitions, not from generator code: it reads the data package's
`complaints.csv` (to know true values and complainants), `data/reference/` and the site's CSVs.

Variables ("atoms") are families of record counts, each keyed at the granularity its tables
need. Which combinations exist is what the attacker can know, granted generously: every empty
combination a published zero implies, and also which street-months hold records of each source
(stronger than the real attacker, so nothing is missed); not which streets hold a district's
category in a month, since no table shows streets by category:

- base: street × month × category × source. The cube of every scope and period; every
  category of a street-month-source holding records, where its district-month-category holds
  records too.
- channel: district × month × source × channel, joined to base through district × month × source.
- time: element × day × hour, joined to base through month × element (weekly, hour_weekday).
- followup: street × month × source × state (valid follow-up / closed otherwise / open),
  joined to base through street × month × source (kpis `n` and `denominator`).
- tier, urgency: district × month × source × handling level (urgency) of closed records,
  joined to followup's closed states through district × month × source (by_tier,
  handling_times `closed`).

A family joined through a margin is exact for the real-valued attacker: any values consistent
with the margins extend to the joint table (proportionally), so one LP over all families is the
attacker's LP over the joint atoms, less the known-zero pattern of the joint.

Published numbers modelled (shown: equality; hidden: "≥ 1", since zeros are published, except
kpis `citizen_total` and `proactive_total`, which hide with their `total`, zeros included):
kpis `total`, `citizen_total`, `proactive_total` (value), `n` and `denominator` of every rate
of every scope and period; counts_by_month; monthly (count); monthly_elements;
monthly_categories; district_categories; by_element, by_category (count, latest and previous
month); by_district (count, latest month); by_source; by_channel; by_tier; hour_weekday; weekly;
handling_times `closed`; warnings `observed` (citizen requests); monthly_topic; street_ranking
and district_ranking `count`. As lower bounds (the count they sit inside is at least this):
kpis numerators of responded, resolved, satisfied (weighted), on-time and escalation rates;
hotspots and hotspots_persistent `requests` (citizen requests of that street or district and
period; `places` only says requests ≥ 2 × places, already implied).

Not modelled, and why: shares, per_10k, rates, intervals, 环比/同比 (ratios of counts the LP
already has; the auditor checks that no share is shown beside a hidden count); medians and p90
(order statistics, not linear); repeat_rate (keyed by closing month with a cut-off window: a
different family, not yet modelled); rate numerators beyond the lower bounds above (policy:
counts implied by rates are protected only by the n ≥ k rule); hotspots `distinct_complainants`
and `main_category` (not counts of records, at most ordinal hints).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
import yaml
from scipy.optimize import linprog

K = 5
EPS = 1e-6
CITIZEN, PROACTIVE = "市民诉求", "主动治理"
VALID, CLOSED_OTHER, OPEN = "valid", "closed", "open"
Ints = np.ndarray


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Cell:
    """A published count: the sum of `cols` (variable indices) is `token`; `lower` cells only
    say the sum is at least `token`."""

    name: str
    key: tuple[str, ...]
    cols: Ints
    token: str
    lower: bool = False
    zero_hides: bool = False  # this cell may be hidden while 0 (so hidden says nothing)

    @property
    def hidden(self) -> bool:
        return self.token == "suppressed"


@dataclass
class Family:
    name: str
    keys: list[tuple[str, ...]]
    size: Ints
    people: list[Ints]
    offset: int = 0
    columns: dict[str, Ints] = field(default_factory=dict)


def _family(name: str, rows: Iterable[tuple[tuple[str, ...], int]], fields: tuple[str, ...],
            possible: Iterable[tuple[str, ...]] = ()) -> Family:
    size: dict[tuple[str, ...], int] = dict.fromkeys(possible, 0)
    people: dict[tuple[str, ...], set[int]] = {}
    for key, person in rows:
        size[key] = size.get(key, 0) + 1
        if person >= 0:
            people.setdefault(key, set()).add(person)
    keys = sorted(size)
    fam = Family(name, keys, np.array([size[k] for k in keys], dtype=float),
                 [np.array(sorted(people.get(k, ())), dtype=np.int64) for k in keys])
    for i, f in enumerate(fields):
        fam.columns[f] = np.array([k[i] for k in keys], dtype=object)
    return fam


def _real(day: str) -> bool:
    """Whether `day` (built by adding days to a month's first) is still in that month."""
    return dt.date.fromisoformat(day).strftime("%Y-%m") == day[:7] and day[8:] <= "31"


def _segment(day: dt.date) -> str:
    """First day of the day's week segment: Monday, or the 1st where a month cuts the week."""
    monday = day - dt.timedelta(days=day.weekday())
    return max(monday, day.replace(day=1)).isoformat()


class Universe:
    """The data's atoms and how a published key selects them (written from the definitions)."""

    def __init__(self, package: Path, reference: Path) -> None:
        records = read_csv(package / "complaints.csv")
        self.street_district = {r["street_code"]: r["district_code"]
                                for r in read_csv(reference / "streets.csv")}
        self.district_code = {r["district"]: r["district_code"]
                              for r in read_csv(reference / "districts.csv")}
        taxonomy = yaml.safe_load((reference / "taxonomy.yml").read_text("utf-8"))
        self.element = {c["name"]: e["name"] for e in taxonomy["elements"]
                        for c in e["categories"]}
        codes: dict[str, int] = {}
        base, channel, time, followup, tier, urgency = [], [], [], [], [], []
        for r in records:
            person = codes.setdefault(r["complainant_key"], len(codes)) \
                if r["complainant_key"] else -1
            s, m, c, src = r["street_code"], r["received_at"][:7], r["category"], r["source"]
            d = self.street_district[s]
            day = dt.date.fromisoformat(r["received_at"][:10])
            base.append(((s, m, c, src), person))
            channel.append(((d, m, src, r["channel"]), person))
            time.append(((self.element[c], day.isoformat(), r["received_at"][11:13]), person))
            closed = r["status"] == "已办结"
            state = (VALID if r["revisit_valid"] == "是" else CLOSED_OTHER) if closed else OPEN
            followup.append(((s, m, src, state), person))
            if closed:
                tier.append(((d, m, src, r["handling_level"]), person))
                urgency.append(((d, m, src, r["urgency"]), person))
        # Side families hold every combination inside a non-empty margin, empty ones too: the
        # attacker cannot tell which channel, hour or state of a street-month is empty.
        def within(margins: set[tuple[str, ...]], values: Iterable[str]
                   ) -> list[tuple[str, ...]]:
            return [(*m, v) for m in margins for v in set(values)]

        dms: set[tuple[str, ...]] = {(self.street_district[k[0][0]], k[0][1], k[0][3])
                                     for k in base}
        sms: set[tuple[str, ...]] = {(k[0][0], k[0][1], k[0][3]) for k in base}
        closed_dms: set[tuple[str, ...]] = {k[0][:3] for k in tier}
        first = dt.date.fromisoformat
        days: set[tuple[str, ...]] = {
            (e, (first(m + "-01") + dt.timedelta(days=i)).isoformat())
            for e, m in {(self.element[k[0][2]], k[0][1]) for k in base} for i in range(31)}
        hours = [f"{h:02d}" for h in range(24)]
        # Base atoms: every category of a street-month-source that holds records, wherever its
        # district-month-category holds records too. The attacker knows the empty
        # district-month-categories (published zeros) and, stronger than real, which
        # street-month-sources hold records; not which streets hold a district's category in a
        # month (no table shows streets by category), so that is not granted.
        dmc = {(self.street_district[k[0][0]], k[0][1], k[0][2]) for k in base}
        base_possible = [(s, m, c, src) for s, m, src in sms for c in self.element
                         if (self.street_district[s], m, c) in dmc]
        self.families = {
            "base": _family("base", base, ("street", "month", "category", "source"),
                            base_possible),
            "channel": _family("channel", channel, ("district", "month", "source", "channel"),
                               within(dms, (k[0][3] for k in channel))),
            "time": _family("time", time, ("element", "day", "hour"),
                            within({d for d in days if d[1][:7] in {k[0][1] for k in base}
                                    and _real(d[1])}, hours)),
            "followup": _family("followup", followup, ("street", "month", "source", "state"),
                                within(sms, (VALID, CLOSED_OTHER, OPEN))),
            "tier": _family("tier", tier, ("district", "month", "source", "level"),
                            within(closed_dms, (k[0][3] for k in tier))),
            "urgency": _family("urgency", urgency, ("district", "month", "source", "urgency"),
                               within(closed_dms, (k[0][3] for k in urgency))),
        }
        offset = 0
        for fam in self.families.values():
            fam.offset = offset
            offset += len(fam.keys)
            cols = fam.columns
            if "street" in cols:
                cols["district"] = np.array([self.street_district[x] for x in cols["street"]],
                                            dtype=object)
            if "category" in cols:
                cols["element"] = np.array([self.element[x] for x in cols["category"]],
                                           dtype=object)
            if "day" in cols:
                dates = [dt.date.fromisoformat(x) for x in cols["day"]]
                cols["month"] = np.array([x[:7] for x in cols["day"]], dtype=object)
                cols["segment"] = np.array([_segment(x) for x in dates], dtype=object)
                cols["weekday"] = np.array([str(x.isoweekday()) for x in dates], dtype=object)
                cols["hour"] = np.array([str(int(x)) for x in cols["hour"]], dtype=object)
        self.n = offset
        self.size = np.concatenate([f.size for f in self.families.values()])
        self.people = [p for f in self.families.values() for p in f.people]
        self.all_months = sorted(set(self.families["base"].columns["month"]))
        self._masks: dict[tuple[str, str, frozenset[str]], Ints] = {}
        self._coded: dict[tuple[str, str], tuple[Ints, Ints]] = {}

    def months(self, period: str) -> set[str]:
        every = set(self.all_months)
        if period == "all":
            return every
        if m := re.fullmatch(r"(\d{4}-\d{2})/(\d{4}-\d{2})", period):
            return {x for x in every if m.group(1) <= x <= m.group(2)}
        if m := re.fullmatch(r"(\d{4})Q([1-4])", period):
            first = 3 * int(m.group(2)) - 2
            return {f"{m.group(1)}-{x:02d}" for x in range(first, first + 3)}
        if re.fullmatch(r"\d{4}", period):
            return {x for x in every if x.startswith(period)}
        return {period}

    def select(self, family: str, period: str | None = None, region: str = "city",
               **equal: str | set[str]) -> Ints:
        """Variable indices of `family` in `period`, `region` (city, district or street code)
        and with every other named column equal to (or in) the value given."""
        conds: list[tuple[str, frozenset[str]]] = []
        if period is not None:
            conds.append(("month", frozenset(self.months(period))))
        if region != "city":
            conds.append(("street" if region in self.street_district else "district",
                          frozenset([region])))
        for name, value in equal.items():
            conds.append((name, frozenset([value] if isinstance(value, str) else value)))
        fam = self.families[family]
        keep = np.ones(len(fam.keys), dtype=bool)
        for name, values in conds:  # a mask per condition, kept: tables repeat their keys
            if (family, name, values) not in self._masks:
                labels, codes = self._codes(fam, name)
                wanted = np.flatnonzero(np.isin(labels, list(values)))
                self._masks[(family, name, values)] = np.isin(codes, wanted)
            keep &= self._masks[(family, name, values)]
        return np.flatnonzero(keep) + fam.offset

    def _codes(self, fam: Family, name: str) -> tuple[Ints, Ints]:
        if (fam.name, name) not in self._coded:
            self._coded[(fam.name, name)] = np.unique(fam.columns[name].astype(str),
                                                      return_inverse=True)
        return self._coded[(fam.name, name)]

    def subject(self, family: str, period: str | None, region: str, subject: str,
                **equal: str | set[str]) -> Ints:
        """A category, or an element where `subject` names one."""
        kind = "category" if subject in self.element else "element"
        return self.select(family, period, region, **{kind: subject}, **equal)

    def value(self, cols: Ints) -> float:
        return float(self.size[cols].sum())

    def complainants(self, cols: Ints) -> int:
        if len(cols) == 0:
            return 0
        return len(np.unique(np.concatenate([self.people[i] for i in cols])))

    LAYERS: ClassVar[dict[str, list[tuple[str, ...]]]] = {
        "base": [("street", "month", "source"), ("district", "month", "category", "source"),
                 ("district", "month", "source"), ("district", "month", "element", "source"),
                 ("month", "category", "source"), ("month", "element", "source"),
                 ("month", "source"), ("district", "source"), ("category", "source")],
        "followup": [("district", "month", "source", "state"), ("month", "source", "state"),
                     ("street", "month", "state")],
        "time": [("element", "segment"), ("element", "weekday", "hour"),
                 ("month", "element")],
        "channel": [("month", "channel"), ("district", "month", "source")],
    }

    def compact(self, cells: list[Cell]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The cells as rows over atoms and partial sums ("layers": one variable per group of
        atoms, defined by an equality), each cell over the layer tiling it with the fewest
        variables: the same LP with far fewer non-zeros (a city total is 48 month sums, not
        45,000 atoms). Returns (cell rows, layer definitions), both over atoms + layers."""
        groups: list[tuple[str, Ints, int]] = []  # family, group of each atom, offset
        start = self.n
        for name, layers in self.LAYERS.items():
            fam = self.families[name]
            for layer in layers:
                keys = list(zip(*(fam.columns[c] for c in layer), strict=True))
                _, gid = np.unique(np.array([hash(k) for k in keys]), return_inverse=True)
                groups.append((name, gid, start))
                start += int(gid.max()) + 1
        total = start
        d_rows, d_cols, d_vals = [], [], []
        for name, gid, offset in groups:
            fam = self.families[name]
            d_rows += [gid + offset - self.n, np.arange(int(gid.max()) + 1) + offset - self.n]
            d_cols += [np.arange(len(gid)) + fam.offset, np.arange(int(gid.max()) + 1) + offset]
            d_vals += [np.ones(len(gid)), -np.ones(int(gid.max()) + 1)]
        definitions = sp.csr_matrix((np.concatenate(d_vals),
                                     (np.concatenate(d_rows), np.concatenate(d_cols))),
                                    shape=(total - self.n, total))
        sizes = [np.bincount(gid) for _, gid, _ in groups]
        rows, cols = [], []
        for i, cell in enumerate(cells):
            best = cell.cols
            if len(best) > 1:
                fam = next(f for f in self.families.values()
                           if f.offset <= best[0] < f.offset + len(f.keys))
                local = best - fam.offset
                for (name, gid, offset), size in zip(groups, sizes, strict=True):
                    if name != fam.name:
                        continue
                    touched, counts = np.unique(gid[local], return_counts=True)
                    if len(touched) < len(best) and (counts == size[touched]).all():
                        best = touched + offset
            rows.append(np.full(len(best), i))
            cols.append(best)
        matrix = sp.csr_matrix((np.ones(sum(len(c) for c in cols)),
                                (np.concatenate(rows) if rows else [],
                                 np.concatenate(cols) if cols else [])),
                               shape=(len(cells), total))
        return matrix, definitions

    def links(self) -> sp.csr_matrix:
        """Each joined family's atoms sum to its parent's over the margin they share."""
        plans: list[tuple[str, str, tuple[str, ...], dict[str, str | set[str]]]] = [
            ("channel", "base", ("district", "month", "source"), {}),
            ("time", "base", ("month", "element"), {}),
            ("followup", "base", ("street", "month", "source"), {}),
            ("tier", "followup", ("district", "month", "source"),
             {"state": {VALID, CLOSED_OTHER}}),
            ("urgency", "followup", ("district", "month", "source"),
             {"state": {VALID, CLOSED_OTHER}}),
        ]
        rows: list[Ints] = []
        cols: list[Ints] = []
        vals: list[Ints] = []
        count = 0
        for child, parent, margin, where in plans:
            groups: dict[tuple[str, ...], int] = {}
            for fam_name, sign, cond in ((child, 1.0, {}), (parent, -1.0, where)):
                fam = self.families[fam_name]
                keep = np.ones(len(fam.keys), dtype=bool)
                for name, value in cond.items():
                    keep &= np.isin(fam.columns[name], list(value))
                idx = np.flatnonzero(keep)
                keys = zip(*(fam.columns[m][idx] for m in margin), strict=True)
                r = np.array([groups.setdefault(k, count + len(groups)) for k in keys])
                rows.append(r)
                cols.append(idx + fam.offset)
                vals.append(np.full(len(idx), sign))
            count += len(groups)
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows),
                                                       np.concatenate(cols))),
                             shape=(count, self.n))


RATE_N = {"responded_rate": "valid", "resolved_rate": "valid", "satisfied_rate": "valid",
          "composite_score": "valid", "ontime_rate": "closed", "escalation_rate": "total"}


def published_cells(site: Path, u: Universe) -> list[Cell]:
    """Every count of `site/data/` the auditor models (see the module's docstring)."""
    data, cells = site / "data", []

    def add(name: str, key: tuple[str, ...], cols: Ints, token: str,
            lower: bool = False, zero_hides: bool = False) -> None:
        if token not in ("NA", ""):
            cells.append(Cell(name, key, cols, token, lower, zero_hides))

    def table(name: str) -> list[dict[str, str]]:
        return read_csv(data / f"{name}.csv")

    months = sorted({r["month"] for r in table("monthly")})
    latest, previous = months[-1], (months[-2] if len(months) > 1 else None)
    closed = {VALID, CLOSED_OTHER}
    for r in table("kpis"):
        period, scope, metric = r["period"], r["scope_code"], r["metric"]
        key = (period, scope, metric)
        total = u.select("base", period, scope)
        if metric in ("total", "citizen_total", "proactive_total"):
            source = {"citizen_total": {CITIZEN}, "proactive_total": {PROACTIVE}}.get(
                metric, {CITIZEN, PROACTIVE})
            # a street's citizen and proactive totals hide with its total, zeros included
            add("kpis", key, u.select("base", period, scope, source=source), r["value"],
                zero_hides=metric != "total")
            continue
        base = RATE_N[metric]
        n = total if base == "total" else u.select(
            "followup", period, scope, state={VALID} if base == "valid" else closed)
        add("kpis.n", key, n, r["n"])
        add("kpis.denominator", key, n, r["denominator"])
        if r["numerator"] not in ("suppressed", "NA"):
            add("kpis.numerator", key, n, r["numerator"], lower=True)
    for r in table("monthly"):
        add("monthly", (r["month"],), u.select("base", r["month"]), r["count"])
    for r in table("counts_by_month"):
        add("counts_by_month", (r["month"], u.district_code[r["district"]], r["category"]),
            u.subject("base", r["month"], u.district_code[r["district"]], r["category"]),
            r["count"])
    for name, column in (("monthly_elements", "element"), ("monthly_categories", "category")):
        for r in table(name):
            add(name, (r["period"], r[column]),
                u.subject("base", r["period"], "city", r[column]), r["count"])
    for r in table("district_categories"):
        add("district_categories", (r["period"], r["district_code"], r["category"]),
            u.subject("base", r["period"], r["district_code"], r["category"]), r["count"])
    for name, subject in (("by_element", "element"), ("by_category", "category")):
        for r in table(name):
            for column, when in (("count", "all"), ("latest_month", latest),
                                 ("previous_month", previous)):
                if when:
                    add(name, (column, r[subject]),
                        u.subject("base", when, "city", r[subject]), r[column])
    for r in table("by_district"):
        add("by_district", ("all", r["district_code"]),
            u.select("base", "all", r["district_code"]), r["count"])
        add("by_district", (latest, r["district_code"]),
            u.select("base", latest, r["district_code"]), r["latest_month"])
    for r in table("by_source"):
        add("by_source", (r["period"], r["scope_code"], r["source"]),
            u.select("base", r["period"], r["scope_code"], source=r["source"]), r["count"])
    for r in table("by_channel"):
        add("by_channel", (r["period"], r["scope_code"], r["channel"]),
            u.select("channel", r["period"], r["scope_code"], channel=r["channel"]), r["count"])
    for r in table("by_tier"):
        add("by_tier", (r["period"], r["scope_code"], r["handling_level"]),
            u.select("tier", r["period"], r["scope_code"], level=r["handling_level"]),
            r["count"])
    for r in table("handling_times"):
        scope = "city" if r["scope"] == "全市" else u.district_code[r["scope"]]
        add("handling_times", (r["period"], scope, r["urgency"]),
            u.select("urgency", r["period"], scope, urgency=r["urgency"]), r["closed"])
    for r in table("hour_weekday"):
        add("hour_weekday", (r["period"], r["element"], r["weekday"], r["hour"]),
            u.select("time", r["period"], element=r["element"], weekday=r["weekday"],
                     hour=r["hour"]), r["count"])
    for r in table("weekly"):
        add("weekly", (r["period"], r["element"]),
            u.select("time", None, element=r["element"], segment=r["period"]), r["count"])
    for r in table("warnings"):
        add("warnings", (r["period"], r["street_code"], r["category"]),
            u.subject("base", r["period"], r["street_code"], r["category"], source=CITIZEN),
            r["observed"])
    for r in table("monthly_topic"):
        scope = "city" if r["district"] == "全市" else u.district_code[r["district"]]
        add("monthly_topic", (r["month"], scope, r["topic"]),
            u.subject("base", r["month"], scope, r["topic"]), r["count"])
    for r in table("street_ranking"):
        add("street_ranking", (r["window"], r["street_code"]),
            u.select("base", r["window"], r["street_code"]), r["count"])
    for r in table("district_ranking"):
        add("district_ranking", (r["ranking"], r["window"], r["district_code"]),
            u.select("base", r["window"], r["district_code"]), r["count"])
    for r in table("hotspots"):
        add("hotspots", (r["period"], r["street_code"]),
            u.select("base", r["period"], r["street_code"], source=CITIZEN), r["requests"],
            lower=True)
    for r in table("hotspots_persistent"):
        add("hotspots_persistent", (r["period"], u.district_code[r["district"]]),
            u.select("base", r["period"], u.district_code[r["district"]], source=CITIZEN),
            r["requests"], lower=True)
    return cells


def shares_beside_hidden_counts(site: Path) -> list[tuple[str, dict[str, str]]]:
    """Rows showing a share (or rate per population) next to a hidden count: the auditor does
    not model shares, so it insists there are none."""
    out = []
    for name, count, ratio in (("by_channel", "count", "share"), ("by_source", "count", "share"),
                               ("by_tier", "count", "share"), ("by_element", "count", "share"),
                               ("by_category", "count", "share"),
                               ("by_district", "count", "per_10k")):
        for r in read_csv(site / "data" / f"{name}.csv"):
            if r[count] == "suppressed" and r[ratio] != "suppressed":
                out.append((name, r))
    return out


@dataclass
class Finding:
    """A small hidden cell the attacker narrows, and the published cells that pin it (those
    with a non-zero dual in the LP reaching the bound)."""

    cell: Cell
    low: float
    high: float
    pins: list[Cell]


@dataclass
class Report:
    checked: int = 0
    distinct: int = 0
    lps: int = 0
    findings: list[Finding] = field(default_factory=list)


def _incidence(cells: list[Cell], n: int) -> sp.csr_matrix:
    rows = np.repeat(np.arange(len(cells)), [len(c.cols) for c in cells])
    cols = np.concatenate([c.cols for c in cells]) if cells else np.zeros(0, dtype=int)
    return sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(cells), n))


def audit(cells: list[Cell], u: Universe, rounds: int = 3,
          echo: Callable[[str], None] = lambda _: None) -> Report:
    """Bounds every hidden cell on 1..k−1 complainants; a finding is a cell whose minimum
    exceeds 1 (or the floor that non-zero cells alone force) or whose maximum stays below
    k−1. Many cells are settled at once: an LP driving all of them towards 1 (or k−1) at once
    yields one attacker-consistent table in which each one reaching its target is settled;
    the rest get their own minimum and maximum LP."""
    shown = [c for c in cells if not c.hidden and not c.lower]
    hidden = [c for c in cells if c.hidden and not c.zero_hides]
    lower = [c for c in cells if c.lower]
    ub_cells = hidden + lower
    rows, definitions = u.compact(shown + ub_cells)
    n = rows.shape[1]
    links = sp.hstack([u.links(), sp.csr_matrix((u.links().shape[0], n - u.n))])
    a_eq = sp.vstack([rows[:len(shown)], links, definitions]).tocsr()
    b_eq = np.concatenate([[float(c.token) for c in shown], np.zeros(a_eq.shape[0] - len(shown))])
    a_ub = -rows[len(shown):]
    b_ub = -np.array([1.0] * len(hidden) + [float(c.token) for c in lower])
    report = Report()
    targets: dict[bytes, Cell] = {}
    for c in cells:
        if c.hidden and 0 < u.complainants(c.cols) < K:
            report.checked += 1
            targets.setdefault(np.sort(c.cols).tobytes(), c)
    report.distinct = len(targets)
    # What no hiding could avoid: the pattern of zero and non-zero cells alone (zeros are
    # published, every other cell is ≥ 1, families joined) forces a least value on each cell.
    zero = [i for i, c in enumerate(shown) if c.token == "0"]
    nonzero = [i for i, c in enumerate(shown) if c.token != "0"]
    f_eq = sp.vstack([rows[zero], links, definitions]).tocsr()
    f_ub = sp.vstack([-rows[nonzero], -rows[len(shown):len(shown) + len(hidden)]]).tocsr()
    floors: dict[bytes, float] = {}

    def floor(key: bytes) -> float:
        if key not in floors:
            res = linprog(u.compact([targets[key]])[0].toarray().ravel(), A_ub=f_ub,
                          b_ub=-np.ones(f_ub.shape[0]), A_eq=f_eq, b_eq=np.zeros(f_eq.shape[0]),
                          bounds=(0, None), method="highs")
            report.lps += 1
            floors[key] = float(res.fun)
        return floors[key]

    def batch(keys: list[bytes], side: str) -> set[bytes]:
        """One LP over all `keys`: minimise Σ max(C − 1, 0), or maximise Σ min(C, k − 1)."""
        t = u.compact([targets[k] for k in keys])[0]
        m = len(keys)
        eye = sp.identity(m, format="csr")
        zeros = sp.csr_matrix((a_ub.shape[0], m))
        if side == "low":  # C − s ≤ 1, minimise Σ s
            ub = sp.vstack([sp.hstack([a_ub, zeros]), sp.hstack([t, -eye])])
            cost = np.concatenate([np.zeros(n), np.ones(m)])
            rhs = np.concatenate([b_ub, np.ones(m)])
            bounds: list[tuple[float, float | None]] = [(0, None)] * (n + m)
        else:  # s − C ≤ 0, 0 ≤ s ≤ k − 1, maximise Σ s
            ub = sp.vstack([sp.hstack([a_ub, zeros]), sp.hstack([-t, eye])])
            cost = np.concatenate([np.zeros(n), -np.ones(m)])
            rhs = np.concatenate([b_ub, np.zeros(m)])
            bounds = [(0, None)] * n + [(0, K - 1)] * m
        eq = sp.hstack([a_eq, sp.csr_matrix((a_eq.shape[0], m))]).tocsr()
        res = linprog(cost, A_ub=ub.tocsr(), b_ub=rhs, A_eq=eq, b_eq=b_eq, bounds=bounds,
                      method="highs")
        report.lps += 1
        assert res.status == 0, f"the published tables contradict the data: {res.message}"
        values = t @ res.x[:n]
        witness[side].update(zip(keys, values, strict=True))
        if side == "low":
            return {k for k, v in zip(keys, values, strict=True) if v <= 1 + EPS}
        return {k for k, v in zip(keys, values, strict=True) if v >= K - 1 - EPS}

    witness: dict[str, dict[bytes, float]] = {"low": {}, "high": {}}

    open_sides = {side: list(targets) for side in ("low", "high")}
    for side in ("low", "high"):
        for _ in range(rounds):
            if not open_sides[side]:
                break
            settled = batch(open_sides[side], side)
            open_sides[side] = [k for k in open_sides[side] if k not in settled]
            echo(f"{side}: batch settled {len(settled)}, {len(open_sides[side])} open")
            if not settled:
                break
    every = [shown, [], ub_cells]
    still = {side: set(keys) for side, keys in open_sides.items()}
    for key in dict.fromkeys(open_sides["low"] + open_sides["high"]):
        cell = targets[key]
        objective = u.compact([cell])[0].toarray().ravel()
        found = {side: witness[side][key] for side in ("low", "high")}  # bounds already seen
        pins: dict[str, list[Cell]] = {"low": [], "high": []}
        for side, sign in (("low", 1.0), ("high", -1.0)):
            if key not in still[side]:
                continue
            res = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                          bounds=(0, None), method="highs")
            report.lps += 1
            assert res.status == 0, f"the published tables contradict the data: {res.message}"
            found[side] = sign * res.fun
            duals = (np.abs(res.eqlin.marginals[:len(shown)]), np.zeros(0),
                     np.abs(res.ineqlin.marginals))
            pins[side] = [c for group, d in zip(every, duals, strict=True)
                          for c, x in zip(group, d, strict=False) if x > EPS]
        narrowed_low = key in still["low"] and found["low"] > max(1.0, floor(key)) + EPS
        narrowed_high = key in still["high"] and found["high"] < K - 1 - EPS
        if narrowed_low or narrowed_high:
            report.findings.append(Finding(
                cell, found["low"], found["high"],
                (pins["low"] if narrowed_low else []) + (pins["high"] if narrowed_high else [])))
    return report
