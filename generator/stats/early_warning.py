"""Early warning (预警): street × category months that rise significantly above their baseline.

Counts are citizen requests (市民诉求): a warning says residents complain more, and proactive
tasks (主动治理) follow the bureau's own inspections. Every street × subject × month count is
one dense array built by a single bincount, so the work is one pass over the records plus
array arithmetic over streets × subjects × months; distinct complainants are counted only for
the few flagged cells.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from generator.stats.columns import text_at
from generator.stats.early_warning_rule import WarningRule

CITIZEN = "市民诉求"
COLUMNS_BASE = ("detected_on", "period", "district", "street", "street_code")
MEASURES = ("observed", "expected", "complainants", "rule")


def warning_columns(rule: WarningRule) -> list[str]:
    """Archive columns; the subject column is `category` or `element` by the rule's level."""
    return [*COLUMNS_BASE, rule.level, *MEASURES]


def detect_warnings(frame: pd.DataFrame, rule: WarningRule, k: int,
                    unrecorded: Collection[str], months: Sequence[str]) -> pd.DataFrame:
    """Every warning over every month of `months` (the data's calendar) with a full baseline.

    A month is tested when the `rule.baseline_months` months before it lie inside `months`.
    The latest month, when the export stops before its last day, is tested on the days it
    covers: with `adjust: city` the rest of the city's count for those same days scales the
    baseline, with `adjust: none` the baseline is scaled by the share of the month's days;
    `detected_on` is then the cutoff date instead of the month's last day. Only warnings whose
    observed count rests on at least `k` distinct complainants are returned (each citizen
    request is its own complainant when complainant_key is in `unrecorded`).
    """
    columns = warning_columns(rule)
    periods = list(months)
    if len(periods) <= rule.baseline_months:
        return pd.DataFrame(columns=columns)
    citizen = frame[(frame["source"] == CITIZEN).to_numpy(dtype=bool)]
    streets = pd.Categorical(citizen["street_code"])
    subjects = pd.Categorical(citizen[rule.level])
    first = int(periods[0][:4]) * 12 + int(periods[0][5:]) - 1
    stamps = citizen["received_at"]
    month = (stamps.dt.year.to_numpy() * 12 + stamps.dt.month.to_numpy() - 1 - first)
    s_codes, c_codes = streets.codes.astype(np.int64), subjects.codes.astype(np.int64)
    n_s, n_c, n_m = len(streets.categories), len(subjects.categories), len(periods)
    keep = (s_codes >= 0) & (c_codes >= 0) & (month >= 0) & (month < n_m)
    cell = (s_codes * n_c + c_codes) * n_m + month
    counts = np.bincount(cell[keep], minlength=n_s * n_c * n_m).reshape(n_s, n_c, n_m)

    cut = _cutoff(frame, periods[-1])
    share = 1.0 if cut is None else cut.day / calendar.monthrange(cut.year, cut.month)[1]
    expected = _expected(counts, rule, share)
    b = rule.baseline_months
    observed = counts[:, :, b:]
    p_value = np.ones(observed.shape)
    rise = ((observed >= rule.min_observed) & (observed >= rule.min_ratio * expected)
            & (observed > expected))
    p_value[rise] = poisson_upper_tail(observed[rise], expected[rise])
    s_hit, c_hit, t_hit = np.nonzero(p_value < rule.alpha)
    if len(s_hit) == 0:
        return pd.DataFrame(columns=columns)
    m_hit = t_hit + b
    hit_cells = (s_hit * n_c + c_hit) * n_m + m_hit
    complainants = _complainants(citizen, cell, keep, hit_cells, unrecorded)
    names = _street_names(citizen, s_codes)
    table = pd.DataFrame({
        "detected_on": [_detected_on(periods[m], cut if m == n_m - 1 else None)
                        for m in m_hit],
        "period": [periods[m] for m in m_hit],
        "district": names["district"].reindex(s_hit).to_numpy(),
        "street": names["street"].reindex(s_hit).to_numpy(),
        "street_code": np.asarray(streets.categories.astype(str))[s_hit],
        rule.level: np.asarray(subjects.categories.astype(str))[c_hit],
        "observed": observed[s_hit, c_hit, t_hit].astype(np.int64),
        "expected": np.round(expected[s_hit, c_hit, t_hit], 1),
        "complainants": complainants,
        "rule": rule.text(),
    })
    table = table[table["complainants"] >= k]
    return table.sort_values(["period", "street_code", rule.level], kind="stable",
                             ignore_index=True)[columns]


def _expected(counts: np.ndarray, rule: WarningRule, latest_share: float) -> np.ndarray:
    """Expected count of every tested month (months from `baseline_months` on).

    The baseline is the mean of the previous months. With `adjust: city` it is multiplied by
    how the rest of the city (every other street, same subject) moved from its own baseline
    to the tested month: seasons and city-wide shifts are not warnings, and a partial latest
    month is scaled by the same days. Leaving the street out keeps its own spike from
    raising its expected count.
    """
    b = rule.baseline_months
    running = np.concatenate([np.zeros((*counts.shape[:2], 1)), np.cumsum(counts, axis=2)],
                             axis=2)
    baseline = (running[:, :, b:-1] - running[:, :, :-b - 1]) / b
    if rule.adjust == "none":
        baseline[:, :, -1] *= latest_share
        return np.asarray(baseline, dtype=np.float64)
    city = counts.sum(axis=0, keepdims=True)
    rest_now = (city - counts)[:, :, b:]
    city_base = baseline.sum(axis=0, keepdims=True)
    rest_base = city_base - baseline
    factor = np.divide(rest_now, rest_base, out=np.ones(rest_now.shape), where=rest_base > 0)
    return np.asarray(baseline * factor, dtype=np.float64)


def poisson_upper_tail(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X ≥ observed) for X ~ Poisson(expected), element-wise, for observed > expected.

    Exact series P = pmf(x) · Σᵢ Πⱼ₌₁..ᵢ λ/(x+j) with log x! from a cumulative sum of logs
    (numpy has no log-gamma). Where observed ≤ expected there is no rise and 1.0 is returned.
    The terms shrink at least like exp(−i²/2λ), so 12√λ + 60 of them always suffice.
    """
    x = np.asarray(observed, dtype=np.int64)
    lam = np.asarray(expected, dtype=np.float64)
    out = np.ones(x.shape)
    out[(lam == 0) & (x > 0)] = 0.0
    todo = np.flatnonzero((x > lam) & (lam > 0))
    if len(todo) == 0:
        return out
    xs, ls = x[todo], lam[todo]
    log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, xs.max() + 1)))])
    head = np.exp(xs * np.log(ls) - ls - log_fact[xs])
    total, term = np.ones(len(todo)), np.ones(len(todo))
    active = np.arange(len(todo))
    for i in range(1, int(12 * np.sqrt(ls.max())) + 61):
        term[active] *= ls[active] / (xs[active] + i)
        total[active] += term[active]
        active = active[term[active] > 1e-16 * total[active]]
        if len(active) == 0:
            break
    out[todo] = np.minimum(head * total, 1.0)
    return out


def _cutoff(frame: pd.DataFrame, latest: str) -> dt.date | None:
    """The last receipt's date when the export stops before the end of the latest month."""
    last = frame["received_at"].max()
    if pd.isna(last) or f"{last.year:04d}-{last.month:02d}" != latest:
        return None
    day: dt.date = last.date()
    return None if day.day == calendar.monthrange(day.year, day.month)[1] else day


def _detected_on(period: str, cut: dt.date | None) -> str:
    """The last day of the period, or the cutoff date of a partial latest month."""
    if cut is not None:
        return cut.isoformat()
    year, month = int(period[:4]), int(period[5:])
    return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _complainants(citizen: pd.DataFrame, cell: np.ndarray, keep: np.ndarray,
                  hit_cells: np.ndarray, unrecorded: Collection[str]) -> np.ndarray:
    """Distinct complainants behind each flagged cell-month (requests when unrecorded)."""
    rows = keep & np.isin(cell, hit_cells)
    position = pd.Index(hit_cells).get_indexer(cell[rows])
    if "complainant_key" in unrecorded:
        return np.bincount(position, minlength=len(hit_cells))
    keys = citizen["complainant_key"].to_numpy()[rows]
    pairs = pd.DataFrame({"cell": position, "who": keys}).dropna().drop_duplicates()
    return np.bincount(pairs["cell"].to_numpy(dtype=np.int64), minlength=len(hit_cells))


def _street_names(citizen: pd.DataFrame, s_codes: np.ndarray) -> pd.DataFrame:
    """District and street name per street code (first record of each street)."""
    first = np.flatnonzero(~pd.Series(s_codes).duplicated().to_numpy() & (s_codes >= 0))
    return pd.DataFrame({"district": text_at(citizen["district"], first),
                         "street": text_at(citizen["street"], first)},
                        index=s_codes[first])
