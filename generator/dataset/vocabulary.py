"""The contract's words, defined once: read from the template's enums and formats.

Validation, import, statistics and the sample generator use these names instead of spelling
the words themselves, so the template (generator/dataset/datapackage.json) is the one source.
Unpacking fails at import time if the template's enums change shape, rather than letting a
word drift silently.
"""

from __future__ import annotations

from generator.dataset.template import template_field


def _enum(name: str) -> tuple[str, ...]:
    return tuple(template_field(name)["constraints"]["enum"])


SOURCES = _enum("source")
CITIZEN, PROACTIVE = SOURCES
"""市民诉求 (a request from a resident) and 主动治理 (a task the bureau opened itself)."""

CHANNELS = _enum("channel")
OTHER_CHANNEL = CHANNELS[-1]
"""其他: the channel of every proactive task."""

STATUSES = _enum("status")
IN_PROGRESS, CLOSED = STATUSES
"""办理中 and 已办结."""

URGENCY_CLASSES = _enum("urgency")
"""紧急, 民生保障, 一般, 疑难: each has a deadline in data/metrics.yml."""

HANDLING_LEVELS = _enum("handling_level")

SATISFACTION = _enum("satisfaction")
SATISFIED, BASICALLY_SATISFIED, DISSATISFIED, NOT_RATED = SATISFACTION

_escalated = template_field("escalated")
(TRUE_WORD,) = _escalated["trueValues"]
(FALSE_WORD,) = _escalated["falseValues"]
"""是 / 否: the boolean words of every boolean field."""

DATETIME_FORMAT: str = template_field("received_at")["format"]
"""%Y-%m-%dT%H:%M:%S, naive local time in the deployment's time zone."""
