"""The contract's words and cross-field rules have one source, used by validation, import and
the sample."""

from __future__ import annotations

import csv
import inspect
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import generator.dataset.validate_rules as validate_rules
import generator.ingest.rules as ingest_rules
from generator import config
from generator.dataset import vocabulary
from generator.dataset.rules import RuleInput
from generator.dataset.schema import contract_fields
from generator.dataset.validate import validate_package
from generator.ingest.output import Rejects
from generator.sample import model, service

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini_package"


def test_words_are_the_template_enums() -> None:
    fields = {f.name: f for f in contract_fields()}
    assert vocabulary.SOURCES == fields["source"].enum == ("市民诉求", "主动治理")
    assert (vocabulary.CITIZEN, vocabulary.PROACTIVE) == ("市民诉求", "主动治理")
    assert vocabulary.STATUSES == fields["status"].enum == ("办理中", "已办结")
    assert (vocabulary.IN_PROGRESS, vocabulary.CLOSED) == ("办理中", "已办结")
    assert fields["urgency"].enum == vocabulary.URGENCY_CLASSES
    assert vocabulary.URGENCY_CLASSES == ("紧急", "民生保障", "一般", "疑难")
    assert fields["satisfaction"].enum == vocabulary.SATISFACTION
    assert (vocabulary.SATISFIED, vocabulary.BASICALLY_SATISFIED) == ("满意", "基本满意")
    assert vocabulary.OTHER_CHANNEL == "其他" == fields["channel"].enum[-1]  # type: ignore[index]
    for name in ("escalated", "revisit_valid", "contacted", "resolved"):
        assert fields[name].true_values == (vocabulary.TRUE_WORD,) == ("是",)
        assert fields[name].false_values == (vocabulary.FALSE_WORD,) == ("否",)
    for name in ("received_at", "dispatched_at", "contacted_at", "closed_at"):
        assert fields[name].format == vocabulary.DATETIME_FORMAT == "%Y-%m-%dT%H:%M:%S"


def test_users_take_the_words_from_the_vocabulary() -> None:
    assert config.URGENCY_CLASSES is vocabulary.URGENCY_CLASSES
    assert model.URGENCIES is vocabulary.URGENCY_CLASSES
    assert service.SATISFACTION is vocabulary.SATISFACTION
    for module in (validate_rules, ingest_rules):
        source = inspect.getsource(module)
        words = ("已办结", "办理中", "市民诉求", "主动治理", "是", "否")
        for word in (f'"{w}"' for w in words):
            assert word not in source, (module.__name__, word)


def _proactive_on_the_web(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    shutil.copytree(MINI, folder)
    rows = list(csv.reader(io.StringIO((folder / "complaints.csv").read_text("utf-8"))))
    proactive = next(r for r in rows[1:] if r[1] == "主动治理")
    proactive[2] = "网络"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (folder / "complaints.csv").write_text(buffer.getvalue(), "utf-8")
    return folder


def _import_rejects() -> list[str]:
    n = 2
    out: dict[str, np.ndarray | pd.Series] = {
        "status": np.array(["已办结", "已办结"], dtype=object),
        "source": np.array(["主动治理", "市民诉求"], dtype=object),
        "channel": np.array(["网络", "网络"], dtype=object),
        "complainant_key": np.array(["", "P0123456789abcdef"], dtype=object),
        "received_at": pd.Series(pd.to_datetime(["2024-03-01 08:00", "2024-03-01 08:00"])),
        "closed_at": pd.Series(pd.to_datetime(["2024-03-02 08:00", "2024-03-02 08:00"])),
    }
    rejects = Rejects(n)
    ingest_rules.check_rules(out, rejects)
    return [f"{r['字段']}：{r['原因']}" for _, r in rejects.frame(["A", "B"]).iterrows()]


def test_validation_and_import_check_the_same_rule(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _proactive_on_the_web(tmp_path)
    reference = ROOT / "data" / "reference"
    issues = validate_package(folder, reference).issues
    assert [(i.field, i.message) for i in issues] == [("channel", "与来源“主动治理”不符")]
    assert _import_rejects() == ["channel（受理渠道）：主动治理任务的受理渠道应为“其他”"]
    # Change the one definition: both stop flagging the row.
    monkeypatch.setattr(RuleInput, "proactive_channel_wrong",
                        lambda self: np.zeros(self.n, dtype=bool))
    assert validate_package(folder, reference).ok
    assert _import_rejects() == []
