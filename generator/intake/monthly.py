"""`ecoportal intake stats`: the service's own monthly figures, for the site (never the store).

Per month of arrival: requests received; median working days from arrival to first contact
(contacted requests); share contacted within the promise (requests contacted, or whose
promised day has passed). Like every published figure, a count below k (the metrics'
disclosure.min_complainants) is hidden together with what is computed from it. No totals are
written: a total beside hidden months would give them away.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path
from typing import Any

from generator.fileio import check_replaceable, write_text_atomic
from generator.intake.server import Service
from generator.intake.store import Store
from generator.intake.workdays import add_working_days, working_days_between


def monthly_figures(service: Service, store: Store, k: int, today: dt.date) -> dict[str, Any]:
    config = service.config
    months: dict[str, dict[str, Any]] = {}
    approximate = False
    for r in store.records():
        month = months.setdefault(f"{r.received_at:%Y-%m}",
                                  {"n": 0, "days": [], "eligible": 0, "within": 0})
        month["n"] += 1
        arrived = r.received_at.date()
        due = add_working_days(config.calendar, arrived, config.reply_working_days)
        approximate |= due.approximate
        if r.contacted_at is not None:
            gap = working_days_between(config.calendar, arrived,
                                       r.contacted_at.astimezone(service.zone).date())
            approximate |= gap.approximate
            month["days"].append(gap.value)
            month["eligible"] += 1
            month["within"] += gap.value <= config.reply_working_days
        elif due.day < today:
            month["eligible"] += 1
    rows = []
    for name, m in sorted(months.items()):
        shown = m["n"] >= k
        rows.append({
            "month": name,
            "consultations": m["n"] if shown else None,
            "contacted": len(m["days"]) if shown and len(m["days"]) >= k else None,
            "median_working_days_to_contact": float(statistics.median(m["days"]))
            if shown and len(m["days"]) >= k else None,
            "contacted_within_promise_rate": round(m["within"] / m["eligible"], 4)
            if shown and m["eligible"] >= k else None,
            "suppressed": not shown,
        })
    return {"generated_at": dt.datetime.now(service.zone).replace(microsecond=0).isoformat(),
            "k": k, "reply_working_days": config.reply_working_days,
            "calendar_approximate": approximate, "months": rows}


def _is_stats(head: bytes) -> bool:
    """A file `intake stats` wrote (the only kind it replaces)."""
    try:
        data = json.loads(head.decode("utf-8"))
    except ValueError:
        return False
    return isinstance(data, dict) and {"generated_at", "k", "months"} <= set(data)


def write_stats(service: Service, store_dir: Path, out: Path, k: int, today: dt.date) -> str:
    check_replaceable(out, _is_stats, "受理统计文件（JSON）")
    with Store(store_dir, service.zone, create=False) as store:
        figures = monthly_figures(service, store, k, today)
    write_text_atomic(out, json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    hidden = sum(m["suppressed"] for m in figures["months"])
    return (f"已写出 {len(figures['months'])} 个月的受理统计到 {out}"
            f"（少于 {k} 件的 {hidden} 个月已隐藏）。")
