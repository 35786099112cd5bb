"""Rows that do not belong in the package: out of scope, counted apart from errors.

A 311-style export holds every complaint of a city; most are not about the environment. A row
is out of scope when the profile's `scope` filter excludes it, or (by default) when its
complaint type has no category mapping. Such rows go to out_of_scope.csv (row number and
reason only) and are never listed as rejects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.ingest.mapping import BoolArray, ObjArray
from generator.ingest.output import OUT_OF_SCOPE_COLUMNS, safe_value
from generator.ingest.profile_model import ScopeSpec

BY_FILTER = "按档案 scope 的筛选条件未纳入"
BY_CATEGORY = "诉求类别没有对应的生态环境类别"


class OutOfScope:
    """Per raw row: why it is out of scope ('' when it is in scope); the first reason wins."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, "", dtype=object)
        self.kind = np.full(n, "", dtype=object)

    def add(self, mask: BoolArray, reasons: ObjArray, kind: str) -> None:
        new = mask & (self.reason == "")
        self.reason[new] = reasons[new]
        self.kind[new] = kind

    def mask(self) -> BoolArray:
        return np.asarray(self.reason != "", dtype=bool)

    def frame(self) -> pd.DataFrame:
        rows = np.flatnonzero(self.mask())
        return pd.DataFrame({"行号": rows + 2, "原因": self.reason[rows]},
                            columns=list(OUT_OF_SCOPE_COLUMNS))

    def kinds(self) -> list[tuple[str, int]]:
        """(不属于生态环境诉求（未纳入）：kind, rows) for each kind of reason."""
        found = self.kind[self.mask()]
        return [(f"不属于生态环境诉求（未纳入）：{k}", int((found == k).sum()))
                for k in (BY_FILTER, BY_CATEGORY) if (found == k).any()]


def _reasons(values: pd.Series, template: str) -> ObjArray:
    """`template` with each distinct value (made safe) put in, broadcast to the rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = [template.format(safe_value(u)) for u in np.asarray(uniques, dtype=object)]
    return np.array(texts, dtype=object)[codes]


def apply_filter(frame: pd.DataFrame, scope: ScopeSpec, out: OutOfScope) -> None:
    """Mark the rows the profile's `scope.include` / `scope.exclude` leave out."""
    if scope.column is None:
        return
    values = frame[scope.column].astype(str).str.strip()
    if scope.include is not None:
        mask = ~values.isin(scope.include).to_numpy()
        template = f"{scope.column} 为“{{}}”，不在 scope.include 中"
    else:
        mask = values.isin(scope.exclude).to_numpy()
        template = f"{scope.column} 为“{{}}”，属于 scope.exclude"
    out.add(mask, _reasons(values, template), BY_FILTER)


def unmapped_categories(raw: ObjArray, bad: BoolArray, out: OutOfScope) -> None:
    """Mark the rows whose category value has no mapping."""
    reasons = _reasons(pd.Series(raw, dtype=object),
                       "诉求类别“{}”没有对应的生态环境类别（value_maps.category 中没有这个值）")
    out.add(bad, reasons, BY_CATEGORY)


def nothing_left_message(raw_path: object, profile_path: object, counts: dict[str, int],
                         reasons: list[tuple[str, int]]) -> str:
    """Why no row of the export can be written (the import then writes nothing)."""
    top = sorted(reasons, key=lambda r: -r[1])[:3]
    listed = "；".join(f"{label}（{n:,} 行）" for label, n in top)
    return (f"{raw_path}：没有一行可以写入数据包，已停止导入，未写出任何文件"
            f"（读取 {counts['read']:,} 行：拒收 {counts['rejected']:,} 行，"
            f"无法定位街乡镇 {counts['unplaced']:,} 行，"
            f"不属于生态环境诉求（未纳入）{counts['out_of_scope']:,} 行）。"
            f"最常见的原因：{listed}。请按这些原因修改档案 {profile_path} 或检查导出后重新导入。")
