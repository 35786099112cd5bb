"""Draw the whole synthetic sample as an Arrow table (the contract's columns, in order).

One numpy Generator seeded with `seed` drives every draw in a fixed order, so the same
arguments always give the same table.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from generator.dataset.schema import FIELD_NAMES
from generator.dataset.vocabulary import (
    HANDLING_LEVELS,
    OTHER_CHANNEL,
    SATISFACTION,
    SOURCES,
    STATUSES,
)
from generator.reference import Reference
from generator.sample import model, rows, service
from generator.sample.draw import Array, Bools, Ints, epoch_seconds, month_starts, next_month
from generator.sample.keys import hex_strings, mix64, permute48
from generator.sample.table import coded, datetimes, yes_no

_SALT_LOCATION = 0x4C6F636174696F6E
_SALT_PERSON = 0x506572736F6E4B65
_SALT_CASE = 0x43617365


@dataclass(frozen=True)
class Rows:
    """Every drawn value as compact numpy codes, rows sorted by receipt time."""

    lay: rows.Layout
    seed: int
    proactive: Bools
    channel: Array
    received: Ints
    category: Array
    district: Array
    street: Array
    location: Array
    """Location pseudonyms as 64-bit integers."""
    person: Array
    urgency: Array
    dispatched: Ints
    contacted: Ints
    """-1 where not contacted yet."""
    closed: Ints
    """-1 where still open."""
    level: Array
    has_follow_up: Bools
    revisit_valid: Bools
    contacted_yes: Bools
    resolved: Bools
    satisfaction: Array

    @property
    def count(self) -> int:
        return len(self.received)

    def table(self, start: int, stop: int) -> pa.Table:
        """Rows start..stop as an Arrow table with the contract's columns, in order."""
        sl = slice(start, stop)
        lay = self.lay
        closed = self.closed[sl] >= 0
        no_fu = ~self.has_follow_up[sl]
        no_answer = ~(self.has_follow_up[sl] & self.revisit_valid[sl])
        counter = np.arange(start, stop, dtype=np.uint64)
        case_salt = (self.seed & 0xFFFFFFFFFFFF) ^ _SALT_CASE
        category, district, street = self.category[sl], self.district[sl], self.street[sl]
        columns = {
            "case_id": hex_strings(permute48(counter, case_salt), "BJ", 12, upper=True),
            "source": coded(SOURCES, self.proactive[sl]),
            "channel": coded((*model.CHANNELS, OTHER_CHANNEL), self.channel[sl]),
            "received_at": datetimes(self.received[sl]),
            "element": coded(lay.category_element, category),
            "category": coded(lay.categories, category),
            "district": coded(lay.district_names, district),
            "district_code": coded(lay.district_codes, district),
            "street": coded(lay.street_names, street),
            "street_code": coded(lay.street_codes, street),
            "location_key": hex_strings(self.location[sl], "L", 16),
            "complainant_key": hex_strings(self.person[sl], "P", 16, mask=self.proactive[sl]),
            "urgency": coded(model.URGENCIES, self.urgency[sl]),
            "dispatched_at": datetimes(self.dispatched[sl]),
            "contacted_at": datetimes(self.contacted[sl], self.contacted[sl] < 0),
            "closed_at": datetimes(self.closed[sl], ~closed),
            "handling_level": coded(HANDLING_LEVELS, self.level[sl]),
            "escalated": yes_no(self.level[sl] > 0),
            "status": coded(STATUSES, closed),
            "revisit_valid": yes_no(self.revisit_valid[sl], no_fu),
            "contacted": yes_no(self.contacted_yes[sl], no_answer),
            "resolved": yes_no(self.resolved[sl], no_answer),
            "satisfaction": coded(SATISFACTION, self.satisfaction[sl], no_answer),
        }
        return pa.table([columns[name] for name in FIELD_NAMES], names=list(FIELD_NAMES))


def draw_rows(
    ref: Reference, deadlines_hours: dict[str, float], *, end_month: dt.date, months: int,
    records: int | None, seed: int,
) -> Rows:
    """Draw every value of the sample; the same arguments always give the same rows."""
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
    return Rows(
        lay=lay,
        seed=seed,
        proactive=proactive[o],
        channel=channel[o].astype(np.int8),
        received=received[o],
        category=category[o].astype(np.int8),
        district=district[o].astype(np.int8),
        street=street[o].astype(np.int16),
        location=mix64(location[o].astype(np.uint64), seed ^ _SALT_LOCATION),
        person=mix64(person[o].astype(np.uint64), seed ^ _SALT_PERSON),
        urgency=urgency[o].astype(np.int8),
        dispatched=times.dispatched[o],
        contacted=times.contacted[o],
        closed=times.closed[o],
        level=level[o].astype(np.int8),
        has_follow_up=fu.valid[o],
        revisit_valid=fu.revisit_valid[o],
        contacted_yes=fu.contacted[o],
        resolved=fu.resolved[o],
        satisfaction=fu.satisfaction[o].astype(np.int8),
    )


def generate(
    ref: Reference, deadlines_hours: dict[str, float], *, end_month: dt.date, months: int,
    records: int | None, seed: int,
) -> pa.Table:
    """The whole sample as one Arrow table (see `draw_rows` for chunked writing)."""
    rows_ = draw_rows(ref, deadlines_hours, end_month=end_month, months=months,
                      records=records, seed=seed)
    return rows_.table(0, rows_.count)
