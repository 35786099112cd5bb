"""Who, what and where: month, category, district, street, source, channel and repeat places.

Each function draws one group of columns for all rows at once and returns integer codes
(indices into the reference tuples or the model's option tuples).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from generator.reference import Reference
from generator.sample import model
from generator.sample.draw import Floats, Ints, grouped_choice


@dataclass(frozen=True)
class Layout:
    """Reference data arranged as arrays for sampling."""

    categories: tuple[str, ...]
    category_element: tuple[str, ...]
    district_names: tuple[str, ...]
    district_codes: tuple[str, ...]
    street_names: tuple[str, ...]
    street_codes: tuple[str, ...]
    street_district: Ints
    """District index of each street."""
    district_street_offset: Ints
    district_street_count: Ints


def layout(ref: Reference) -> Layout:
    districts = ref.districts
    d_index = {d.code: i for i, d in enumerate(districts)}
    streets = sorted(ref.streets, key=lambda s: (d_index[s.district_code], s.code))
    street_district = np.array([d_index[s.district_code] for s in streets], dtype=np.int64)
    counts = np.bincount(street_district, minlength=len(districts)).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return Layout(
        categories=tuple(c.name for c in ref.categories),
        category_element=tuple(c.element for c in ref.categories),
        district_names=tuple(d.name for d in districts),
        district_codes=tuple(d.code for d in districts),
        street_names=tuple(s.name for s in streets),
        street_codes=tuple(s.code for s in streets),
        street_district=street_district,
        district_street_offset=offsets,
        district_street_count=counts,
    )


def cell_expectations(lay: Layout, months: list[dt.date]) -> Floats:
    """Expected requests per (month, category): trend × category share × seasonality."""
    n_months = len(months)
    trend = (1 + model.GROWTH_PER_YEAR) ** ((np.arange(n_months) - (n_months - 1)) / 12)
    volume = model.BASE_MONTHLY * trend
    cal = np.array([m.month - 1 for m in months])
    exp = np.empty((n_months, len(lay.categories)))
    even = 100 / len(lay.categories)  # another city's categories: equal shares
    for j, cat in enumerate(lay.categories):
        season = np.array(model.SEASONALITY.get(cat, (1.0,) * 12))
        season = season / season.mean()
        exp[:, j] = volume * model.CATEGORY_SHARES.get(cat, even) / 100 * season[cal]
    return exp


def cell_counts(rng: np.random.Generator, exp: Floats, records: int | None) -> Ints:
    """Rows per (month, category): Poisson around the expectation, or exactly `records`."""
    if records is None:
        return rng.poisson(exp).astype(np.int64)
    flat = exp.ravel() / exp.sum()
    counts: Ints = rng.multinomial(records, flat).reshape(exp.shape).astype(np.int64)
    return counts


def districts_and_streets(
    rng: np.random.Generator, lay: Layout, ref: Reference, category: Ints
) -> tuple[Ints, Ints]:
    """District by population (with category emphasis), then a street within it.

    A district without a known population weighs as much as the average one that has one
    (all equal when none is known).
    """
    known = [d.population_k for d in ref.districts if d.population_k]
    typical = float(np.mean(known)) if known else 1.0
    pop = np.array([d.population_k or typical for d in ref.districts], dtype=np.float64)
    w = np.tile(pop, (len(lay.categories), 1))
    for j, cat in enumerate(lay.categories):
        if cat in model.DISTRICT_EMPHASIS:
            names, factor = model.DISTRICT_EMPHASIS[cat]
            for i, name in enumerate(lay.district_names):
                if name in names:
                    w[j, i] *= factor
    n = len(category)
    district = grouped_choice(w, category, rng.random(n))
    kind = {s.code: s.kind for s in ref.streets}
    street_w = rng.lognormal(0.0, model.STREET_SPREAD_SIGMA, len(lay.street_codes))
    street_w *= np.array([model.STREET_KIND_WEIGHT.get(kind[c], 1.0) for c in lay.street_codes])
    width = int(lay.district_street_count.max())
    padded = np.zeros((len(lay.district_names), width))
    for i in range(len(lay.district_names)):
        start, count = lay.district_street_offset[i], lay.district_street_count[i]
        padded[i, :count] = street_w[start : start + count]
    local = grouped_choice(padded, district, rng.random(n), lay.district_street_count)
    street = lay.district_street_offset[district] + local
    return district, street


def sources_and_channels(
    rng: np.random.Generator, lay: Layout, category: Ints
) -> tuple[np.ndarray, Ints]:
    """Proactive flag per row, and channel code (index into CHANNELS; len(CHANNELS) = 其他)."""
    share = np.array([model.PROACTIVE_SHARE.get(c, model.PROACTIVE_SHARE["default"])
                      for c in lay.categories])
    proactive = rng.random(len(category)) < share[category]
    shares = np.array([model.CHANNEL_SHARES])
    channel = grouped_choice(shares, np.zeros(len(category), dtype=np.int64),
                             rng.random(len(category)))
    channel[proactive] = len(model.CHANNELS)
    return proactive, channel


def repeat_places(
    rng: np.random.Generator, lay: Layout, category: Ints, street: Ints, received: Ints
) -> tuple[Ints, int]:
    """Place id per row (-1 = a place reported once) and the number of repeat places.

    A repeat place (a restaurant, a square, a building site) takes a run of consecutive
    requests of one category in one street, so its reports cluster in time.
    """
    n = len(category)
    weight = np.array([model.REPEAT_CATEGORY_WEIGHT.get(c, 0.0) for c in lay.categories])
    w = weight[category]
    n_places = int(min(max(1, round(n / model.REPEAT_PLACE_EVERY)), int((w > 0).sum())))
    place = np.full(n, -1, dtype=np.int64)
    if n_places == 0:
        return place, 0
    with np.errstate(divide="ignore"):
        keys = np.log(rng.random(n)) / w
    anchors = np.argpartition(-keys, n_places - 1)[:n_places]
    anchors = anchors[np.argsort(-keys[anchors], kind="stable")]
    sizes = np.minimum(2 + np.floor(rng.pareto(1.1, n_places) * 4), model.REPEAT_MAX)
    group = street * len(lay.categories) + category
    order = np.lexsort((received, group))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    sorted_group = group[order]
    starts = np.searchsorted(sorted_group, group[anchors], side="left")
    ends = np.searchsorted(sorted_group, group[anchors], side="right")
    for h in range(n_places):
        size = int(sizes[h])
        first = max(int(starts[h]), min(int(rank[anchors[h]]), int(ends[h]) - size))
        place[order[first : min(first + size, int(ends[h]))]] = h
    return place, n_places
