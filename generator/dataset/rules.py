"""The contract's cross-field rules, defined once as vectorised predicates.

Validation (generator.dataset.validate_rules) and import (generator.ingest.rules) both build
a RuleInput from their own columns and ask it which rows break which rule; each then words
and attributes the problems in its own way (a validation error per field, a reject reason
per row). A rule that needs a field the package does not record (unrecordedFields) is not
checked: it holds no rows.

Rules:
- times run received_at ≤ dispatched_at ≤ contacted_at ≤ closed_at (empty times skipped);
- 已办结 ⇔ closed_at filled;
- 主动治理 has no complainant_key, 市民诉求 has one;
- 主动治理 comes through the channel 其他;
- follow-up fields only on closed citizen requests, and contacted / resolved / satisfaction
  only after a valid revisit (revisit_valid 是).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from generator.dataset.vocabulary import CITIZEN, CLOSED, IN_PROGRESS, OTHER_CHANNEL, PROACTIVE

BoolArray = npt.NDArray[np.bool_]
TextArray = npt.NDArray[np.object_]
TimeArray = npt.NDArray[np.datetime64]

TIME_ORDER = ("received_at", "dispatched_at", "contacted_at", "closed_at")
FOLLOW_UP = ("revisit_valid", "contacted", "resolved", "satisfaction")
AFTER_VALID_REVISIT = FOLLOW_UP[1:]
"""Follow-up answers given only in a valid revisit."""


@dataclass(frozen=True)
class RuleInput:
    """The columns the rules read, one entry per row.

    `status`, `source` and `channel` are text with "" for empty; `filled` says
    which cells of complainant_key, closed_at and the follow-up fields hold a value;
    `valid_revisit` is True where revisit_valid is 是; `times` hold datetime64 with NaT for
    empty. A field in `unrecorded` may be absent from `filled` and `times`.
    """

    status: TextArray
    source: TextArray
    channel: TextArray
    filled: Mapping[str, BoolArray]
    valid_revisit: BoolArray
    times: Mapping[str, TimeArray]
    unrecorded: frozenset[str] = field(default_factory=frozenset)

    @property
    def n(self) -> int:
        return len(self.status)

    def _none(self) -> BoolArray:
        return np.zeros(self.n, dtype=bool)

    def _has(self, name: str) -> BoolArray:
        value = self.filled.get(name)
        return self._none() if value is None or name in self.unrecorded else value

    def closed(self) -> BoolArray:
        out: BoolArray = self.status == CLOSED
        return out

    def in_progress(self) -> BoolArray:
        out: BoolArray = self.status == IN_PROGRESS
        return out

    def proactive(self) -> BoolArray:
        out: BoolArray = self.source == PROACTIVE
        return out

    def citizen(self) -> BoolArray:
        out: BoolArray = self.source == CITIZEN
        return out

    # Times --------------------------------------------------------------------------

    def _time(self, name: str) -> TimeArray | None:
        return None if name in self.unrecorded else self.times.get(name)

    def out_of_order(self, early: str, late: str) -> BoolArray:
        """Both times present and `late` before `early`."""
        a, b = self._time(early), self._time(late)
        if a is None or b is None:
            return self._none()
        out: BoolArray = b < a  # NaT compares False
        return out

    def previous_times(self, late: str) -> Iterator[tuple[str, BoolArray]]:
        """(earlier field, rows where it is the nearest earlier time present) for `late`."""
        undecided = np.ones(self.n, dtype=bool)
        for early in reversed(TIME_ORDER[: TIME_ORDER.index(late)]):
            values = self._time(early)
            if values is None:
                continue
            here = undecided & ~np.isnat(values)
            undecided &= ~here
            yield early, here

    # Status and closing time -------------------------------------------------------------

    def closed_without_time(self) -> BoolArray:
        return self.closed() & ~self._has("closed_at")

    def in_progress_with_time(self) -> BoolArray:
        return self.in_progress() & self._has("closed_at")

    # Source, complainant and channel -------------------------------------------------------

    def proactive_with_complainant(self) -> BoolArray:
        return self.proactive() & self._has("complainant_key")

    def citizen_without_complainant(self) -> BoolArray:
        if "complainant_key" in self.unrecorded:
            return self._none()
        return self.citizen() & ~self._has("complainant_key")

    def proactive_channel_wrong(self) -> BoolArray:
        if "channel" in self.unrecorded:
            return self._none()
        channel = self.channel
        out: BoolArray = self.proactive() & (channel != OTHER_CHANNEL) & (channel != "")
        return out

    # Follow-up ------------------------------------------------------------------------

    def follow_up_in_progress(self, name: str) -> BoolArray:
        """A follow-up answer on a request still in progress."""
        return self._has(name) & self.in_progress()

    def follow_up_on_proactive(self, name: str) -> BoolArray:
        """A follow-up answer on a proactive task (it has no complainant to ask)."""
        return self._has(name) & self.proactive()

    def follow_up_without_valid_revisit(self, name: str) -> BoolArray:
        """contacted / resolved / satisfaction filled though revisit_valid is not 是."""
        if name not in AFTER_VALID_REVISIT or "revisit_valid" in self.unrecorded:
            return self._none()
        return self._has(name) & ~self.valid_revisit
