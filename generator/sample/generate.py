"""Draw the whole synthetic sample as an Arrow table (the contract's columns, in order).

One numpy Generator seeded with `seed` drives every draw in a fixed order, so the same
arguments always give the same table.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange

import numpy as np
import pyarrow as pa

from generator.dataset.schema import FIELD_NAMES
from generator.reference import Reference
from generator.sample import model, rows, service
from generator.sample.draw import epoch_seconds, month_starts, next_month
from generator.sample.keys import hex_strings, mix64, permute48
from generator.sample.table import coded, datetimes, yes_no

_SALT_LOCATION = 0x4C6F636174696F6E
_SALT_PERSON = 0x506572736F6E4B65
_SALT_CASE = 0x43617365


def generate(
    ref: Reference, deadlines_hours: dict[str, float], *, end_month: dt.date, months: int,
    records: int | None, seed: int,
) -> pa.Table:
    rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
    lay = rows.layout(ref)
    starts = month_starts(end_month, months)
    period_end = epoch_seconds(next_month(end_month))

    counts = rows.cell_counts(rng, rows.cell_expectations(lay, starts), records)
    n_cat = len(lay.categories)
    flat = counts.ravel()
    month = np.repeat(np.repeat(np.arange(months), n_cat), flat)
    category = np.repeat(np.tile(np.arange(n_cat), months), flat)
    n = len(month)

    month_start = np.array([epoch_seconds(m) for m in starts], dtype=np.int64)[month]
    month_days = np.array([monthrange(m.year, m.month)[1] for m in starts])[month]
    month_number = np.array([m.month for m in starts])[month]
    received = service.receipt_times(rng, lay.categories, category, month_start, month_days,
                                     month_number)
    district, street = rows.districts_and_streets(rng, lay, ref, category)
    proactive, channel = rows.sources_and_channels(rng, lay, category)
    place, n_places = rows.repeat_places(rng, lay, category, street, received)
    repeat = place >= 0

    # Complainants: a repeat place has one to three people reporting it; a few others are
    # frequent complainants; everyone else appears once.
    per_place = rng.choice(np.array([1, 2, 3]), size=max(n_places, 1), p=[0.5, 0.3, 0.2])
    pool = max(1, n // 40)
    person = 4 * n_places + pool + np.arange(n, dtype=np.int64)
    frequent = rng.random(n) < model.FREQUENT_COMPLAINANT_SHARE
    person = np.where(frequent, 4 * n_places + rng.integers(0, pool, n), person)
    safe_place = np.maximum(place, 0)
    place_person = 4 * safe_place + np.floor(rng.random(n) * per_place[safe_place]).astype(
        np.int64)
    person = np.where(repeat, place_person, person)
    location = np.where(repeat, place, n_places + np.arange(n, dtype=np.int64))

    urgency = service.urgencies(rng, lay.categories, category)
    level = service.escalation(rng, urgency, repeat)
    times = service.handling_times(rng, received, urgency, level, deadlines_hours, period_end)
    closed = times.closed >= 0
    street_quality = service.quality(rng, len(lay.district_names), lay.street_district)
    fu = service.follow_up(rng, closed & ~proactive, district, street_quality, street, level,
                           repeat, len(lay.district_names))

    o = np.argsort(received, kind="stable")
    no_fu = ~fu.valid[o]
    no_answer = ~(fu.valid & fu.revisit_valid)[o]
    columns = {
        "case_id": hex_strings(permute48(np.arange(n, dtype=np.uint64), seed & 0xFFFFFFFFFFFF
                                         ^ _SALT_CASE), "BJ", 12, upper=True),
        "source": coded(("市民诉求", "主动治理"), proactive[o].astype(np.int64)),
        "channel": coded((*model.CHANNELS, "其他"), channel[o]),
        "received_at": datetimes(received[o]),
        "element": coded(lay.category_element, category[o]),
        "category": coded(lay.categories, category[o]),
        "district": coded(lay.district_names, district[o]),
        "district_code": coded(lay.district_codes, district[o]),
        "street": coded(lay.street_names, street[o]),
        "street_code": coded(lay.street_codes, street[o]),
        "location_key": hex_strings(mix64(location[o].astype(np.uint64), seed ^ _SALT_LOCATION),
                                    "L", 16),
        "complainant_key": hex_strings(mix64(person[o].astype(np.uint64), seed ^ _SALT_PERSON),
                                       "P", 16, mask=proactive[o]),
        "urgency": coded(model.URGENCIES, urgency[o]),
        "dispatched_at": datetimes(times.dispatched[o]),
        "contacted_at": datetimes(times.contacted[o], times.contacted[o] < 0),
        "closed_at": datetimes(times.closed[o], ~closed[o]),
        "handling_level": coded(("街乡", "区", "市"), level[o]),
        "escalated": yes_no(level[o] > 0),
        "status": coded(("办理中", "已办结"), closed[o].astype(np.int64)),
        "revisit_valid": yes_no(fu.revisit_valid[o], no_fu),
        "contacted": yes_no(fu.contacted[o], no_answer),
        "resolved": yes_no(fu.resolved[o], no_answer),
        "satisfaction": coded(service.SATISFACTION, fu.satisfaction[o], no_answer),
    }
    return pa.table([columns[name] for name in FIELD_NAMES], names=list(FIELD_NAMES))
