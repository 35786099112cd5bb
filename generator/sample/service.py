"""How requests are handled: receipt time, urgency, escalation, timestamps and follow-up calls."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.dataset import vocabulary
from generator.sample import model
from generator.sample.draw import Bools, Floats, Ints, clipped_lognormal, grouped_choice

HOUR = 3600
MINUTE = 60


def receipt_times(
    rng: np.random.Generator, categories: tuple[str, ...], category: Ints,
    month_start: Ints, month_days: Ints, month_number: Ints,
) -> Ints:
    """Seconds since the epoch: a uniform day, an hour from the category's profile."""
    n = len(category)
    profiles = np.empty((2 * len(categories), 24))
    for j, cat in enumerate(categories):
        base = model.HOUR_PROFILES.get(cat, model.HOUR_PROFILES["default"])
        profiles[2 * j] = base
        profiles[2 * j + 1] = model.SUMMER_NIGHT_NOISE if cat == "社会生活噪声" else base
    summer = np.isin(month_number, model.SUMMER_MONTHS)
    hour = grouped_choice(profiles, 2 * category + summer, rng.random(n))
    day = np.floor(rng.random(n) * month_days).astype(np.int64)
    second = rng.integers(0, HOUR, n)
    received: Ints = month_start + day * 86400 + hour * HOUR + second
    return received


def urgencies(rng: np.random.Generator, categories: tuple[str, ...], category: Ints) -> Ints:
    """Index into model.URGENCIES; 疑难 is more common for hard categories."""
    base = np.array(model.URGENCY_SHARES)
    hard = base.copy()
    hard[3] *= model.HARD_FACTOR
    hard_cat = np.array([c in model.HARD_CATEGORIES for c in categories])
    return grouped_choice(np.vstack([base, hard]), hard_cat[category].astype(np.int64),
                          rng.random(len(category)))


def escalation(rng: np.random.Generator, urgency: Ints, repeat: Bools) -> Ints:
    """Handling level: 0 街乡, 1 区, 2 市 (escalated iff > 0)."""
    n = len(urgency)
    p = np.full(n, model.ESCALATION_RATE)
    p[urgency == 3] *= model.ESCALATION_HARD_FACTOR
    p[repeat] *= model.ESCALATION_REPEAT_FACTOR
    escalated = rng.random(n) < p
    city = rng.random(n) < model.CITY_SHARE_OF_ESCALATED
    level: Ints = np.where(escalated, np.where(city, 2, 1), 0).astype(np.int64)
    return level


@dataclass(frozen=True)
class Times:
    dispatched: Ints
    contacted: Ints
    """-1 where not yet contacted at the end of the period."""
    closed: Ints
    """-1 where still open (办理中)."""


def handling_times(
    rng: np.random.Generator, received: Ints, urgency: Ints, level: Ints,
    deadlines_hours: dict[str, float], period_end: int,
) -> Times:
    """Dispatch, first contact and closure; anything after `period_end` has not happened yet."""
    n = len(received)
    urgent = urgency == 0
    livelihood = urgency == 1
    dispatch = clipped_lognormal(rng, 40 * MINUTE, 0.9, 5 * MINUTE, 4 * HOUR, n)
    dispatch = np.where(urgent, rng.uniform(5 * MINUTE, 20 * MINUTE, n), dispatch)
    contact = clipped_lognormal(rng, 3 * HOUR, 0.9, 10 * MINUTE, 36 * HOUR, n)
    contact = np.where(livelihood, np.minimum(contact, rng.uniform(0.5, 4, n) * HOUR), contact)
    contact = np.where(urgent, rng.uniform(5 * MINUTE, 30 * MINUTE, n), contact)
    contacted_off = dispatch + contact

    deadline = np.array([deadlines_hours[u] for u in model.URGENCIES])[urgency] * HOUR
    escalated = level > 0
    late_rate = np.array([model.LATE_RATE[u] for u in model.URGENCIES])[urgency]
    late_rate = np.where(escalated, late_rate * model.LATE_ESCALATED_FACTOR, late_rate)
    late = rng.random(n) < late_rate
    share: Floats = np.where(escalated, rng.beta(3.0, 1.8, n), rng.beta(1.6, 2.6, n))
    on_time = contacted_off + np.maximum(deadline * 0.98 - contacted_off, 0) * share
    overdue = np.minimum(deadline * rng.uniform(1.02, 1.5, n),
                         deadline + model.MAX_OVERDUE_HOURS * HOUR)
    total = np.maximum(np.where(late, overdue, on_time), contacted_off + MINUTE)

    dispatched = np.minimum(received + dispatch.astype(np.int64), period_end - 1)
    contacted = received + contacted_off.astype(np.int64)
    closed = received + total.astype(np.int64)
    closed = np.maximum(closed, contacted)
    contacted = np.where(contacted < period_end, contacted, -1)
    closed = np.where(closed < period_end, closed, -1)
    return Times(dispatched, contacted, closed)


@dataclass(frozen=True)
class FollowUp:
    valid: Bools
    """Rows that have follow-up fields (closed citizen requests)."""
    revisit_valid: Bools
    contacted: Bools
    resolved: Bools
    satisfaction: Ints
    """Index into SATISFACTION."""


SATISFACTION = vocabulary.SATISFACTION


def quality(rng: np.random.Generator, n_districts: int, street_district: Ints) -> Floats:
    """Per-street multiplier on dissatisfaction (1 = typical, higher = weaker)."""
    district_q = rng.uniform(0.7, 1.3, n_districts)
    weak = rng.choice(n_districts, size=min(model.WEAK_DISTRICTS, n_districts), replace=False)
    district_q[weak] = rng.uniform(*model.WEAK_DISTRICT_FACTOR, len(weak))
    street_q = rng.lognormal(0.0, 0.25, len(street_district))
    weak_street = rng.random(len(street_district)) < model.WEAK_STREET_SHARE
    street_q[weak_street] = rng.uniform(*model.WEAK_STREET_FACTOR, int(weak_street.sum()))
    q: Floats = district_q[street_district] * street_q
    return q


def follow_up(
    rng: np.random.Generator, has_follow_up: Bools, district: Ints, street_quality: Floats,
    street: Ints, level: Ints, repeat: Bools, n_districts: int,
) -> FollowUp:
    n = len(district)
    valid_share = rng.uniform(*model.REVISIT_VALID_RANGE, n_districts)
    revisit_valid = has_follow_up & (rng.random(n) < valid_share[district])
    m = street_quality[street].copy()
    m[level > 0] *= model.ESCALATED_QUALITY_FACTOR
    m[repeat] *= model.REPEAT_QUALITY_FACTOR
    contacted = rng.random(n) >= model.NOT_CONTACTED * np.sqrt(m)
    resolved = rng.random(n) >= model.NOT_RESOLVED * m
    u = rng.random(n)
    unrated = model.UNRATED
    dissatisfied = unrated + model.DISSATISFIED * m
    basic = dissatisfied + model.BASIC_SATISFIED * m
    satisfaction = np.where(u < unrated, 3, np.where(u < dissatisfied, 2,
                                                     np.where(u < basic, 1, 0)))
    unhappy = ~resolved & (rng.random(n) < model.UNRESOLVED_DISSATISFIED)
    satisfaction = np.where(unhappy, 2, satisfaction).astype(np.int64)
    return FollowUp(has_follow_up, revisit_valid, contacted, resolved, satisfaction)
