"""The journeys between hand-written pages: the fumes guide covers night-time fan noise and
sends readers to the noise guide; the complaint page sends them to the guides and the cases.
Limit values come from data/limits.yml (rendered through the limits macros), never typed."""

from __future__ import annotations

import re

import yaml

from generator.site.render import render_pages
from tests.site_data import PATHS, ROOT, mini_site_data

LIMITS = yaml.safe_load((ROOT / "data" / "limits.yml").read_text("utf-8"))


def _row(table: dict[str, object], label: str) -> list[object]:
    rows = table["rows"]
    assert isinstance(rows, list)
    [row] = [r for r in rows if str(r[0]) == label]
    return list(row)


def test_fumes_guide_covers_night_fan_noise_and_links_the_noise_guide() -> None:
    pages = render_pages(PATHS, mini_site_data())
    page = pages["guides/cooking-fumes.md"]
    section = page.split("\n## 排油烟风机夜间噪声\n", 1)[1].split("\n## ", 1)[0]
    assert "](noise.md)" in section and "社会生活噪声" in section
    boundary = LIMITS["gb22337"]["boundary"]
    night = boundary["columns"].index("夜间")
    for label in ("1 类", "2 类"):
        assert f"{label}区夜间为 {_row(boundary, label)[night]} dB(A)" in section or \
            f"{label}区为 {_row(boundary, label)[night]} dB(A)" in section, label
    structure = LIMITS["gb22337"]["structure"]
    column = structure["columns"].index("A 类房间夜间")
    assert f"{_row(structure, '2、3、4 类')[column]} dB(A)" in section
    periods = LIMITS["noise_law"]["periods"]
    assert f"{_row(periods, '夜间')[1]} 至{_row(periods, '夜间')[2]}" in section
    source = (ROOT / "site_src" / "guides" / "cooking-fumes.md").read_text("utf-8")
    typed = source.split("## 排油烟风机夜间噪声", 1)[1].split("\n## ", 1)[0]
    assert not re.search(r"\d+\s*dB", typed), "limit values come from data/limits.yml"
    assert "[噪声](noise.md)" in page.split("## 您可以怎么做", 1)[1]


def test_complaint_page_links_the_guides_and_the_cases() -> None:
    data = mini_site_data()
    page = render_pages(PATHS, data)["how-to-complain.md"]
    links = set(re.findall(r"\]\(([^)#]+)\)", page))
    guides = {c.guide for c in data.ref.categories if c.guide in data.hand_written}
    assert "guides/index.md" in links and guides <= links, guides - links
    assert "cases/index.md" in links
    assert any(f"cases/{c.slug}.md" in links for c in data.cases)
