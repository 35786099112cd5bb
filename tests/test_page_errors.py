"""Template errors name the page: every failure inside a page ends in one Chinese BuildError.

A corpus of broken pages in a copy of the project, each built through the real CLI: exit 1,
the exact message ("渲染页面 <page> 第 N 行出错：……" plus the fix), no traceback, and the
previous site, the package and the pages byte-identical afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.site.page_errors import page_error
from tests.broken_inputs import run_cli
from tests.conftest import BUILD_DAY, ROOT
from tests.project_copy import copy_project

pytestmark = pytest.mark.slow

MINI = ROOT / "tests" / "fixtures" / "mini_package"
SYNTAX_FIX = "请检查该页面中的 {{ }} 和 {% %} 模板语法（括号、引号是否成对，标签是否写错）。"
EXPR_FIX = "请检查该行 {{ }} 或 {% %} 中的表达式。"
NAMES = ("business、cases、csv_hidden、csv_not_applicable、csv_unrecorded、data_period、deadlines、"
         "disclosure_unit、has_unrecorded、headline、hidden_mark、hidden_note、hotline、k、"
         "latest_cutoff_zh、latest_incomplete、latest_month、latest_note、limits、marks_legend、"
         "metrics、not_applicable_mark、not_applicable_note、org、previous_month、settings、"
         "site、topic_links、unrecorded_mark、unrecorded_note、updated")
KNOWN = ("餐饮油烟、扬尘、异味恶臭、企业废气、机动车尾气、社会生活噪声、建筑施工噪声、工业噪声、"
         "交通运输噪声、地表水、污水排放、一般固废、危险废物、电磁辐射、生态破坏、其他、大气、噪声、"
         "水、固废、辐射及其他")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's sources with a site already built from the mini package."""
    from generator.pipeline import build_site

    root = copy_project(tmp_path_factory.mktemp("pages") / "project")
    build_site(root, package=MINI, site_dir=root / "site", echo=lambda _: None, today=BUILD_DAY)
    return root


CASES = [
    ("undefined-name", {"broken.md": "# 坏页面\n\n{{ no_such_value }}\n"},
     "渲染页面 broken.md 第 3 行出错：名称“no_such_value”未定义。请检查拼写；"
     f"页面可用的名称有：{NAMES}。"),
    ("missing-attribute", {"broken.md": "# 坏页面\n\n\n{{ org.no_such_key }}\n"},
     "渲染页面 broken.md 第 4 行出错：“generator.settings.OrgSettings object”没有属性"
     f"“no_such_key”。{EXPR_FIX}"),
    ("syntax-error", {"broken.md": "# 坏页面\n\n{{ 1 + }}\n"},
     "渲染页面 broken.md 第 3 行出错：模板语法错误（unexpected 'end of print statement'）。"
     + SYNTAX_FIX),
    ("unclosed-for", {"broken.md": "# 坏页面\n\n{% for a in [1] %}\n"},
     "渲染页面 broken.md 第 3 行出错：模板语法错误（Unexpected end of template. Jinja was looking "
     "for the following tags: 'endfor' o…（共 143 个字符，已截断））。" + SYNTAX_FIX),
    ("unknown-filter", {"broken.md": "# 坏页面\n\n{{ 3 | no_such_filter }}\n"},
     "渲染页面 broken.md 第 3 行出错：模板语法错误（No filter named 'no_such_filter'.）。"
     + SYNTAX_FIX),
    ("headline-unknown-name", {"guides/noise.md": "# 噪声\n\n- {{ headline(\"噪音\") }}\n"},
     f"渲染页面 guides/noise.md 第 3 行出错：调用 headline(“噪音”)，但分类中没有这个要素或类别。"
     f"可用：{KNOWN}。请改用上面列出的名称。"),
    ("zero-division", {"broken.md": "# 坏页面\n\n{{ 1 / 0 }}\n"},
     f"渲染页面 broken.md 第 3 行出错：除数为零（division by zero）。{EXPR_FIX}"),
    ("type-error", {"broken.md": "# 坏页面\n\n{{ 1 + 'a' }}\n"},
     "渲染页面 broken.md 第 3 行出错：类型不匹配（unsupported operand type(s) for +: 'int' and "
     f"'str'）。{EXPR_FIX}"),
    ("value-error", {"broken.md": "# 坏页面\n\n{{ '{:d}'.format('a') }}\n"},
     "渲染页面 broken.md 第 3 行出错：数值无效（Unknown format code 'd' for object of type "
     f"'str'）。{EXPR_FIX}"),
    ("key-error", {"broken.md": "# 坏页面\n\n{{ {'a': 1}.pop('b') }}\n"},
     f"渲染页面 broken.md 第 3 行出错：找不到键（'b'）。{EXPR_FIX}"),
    ("index-error", {"broken.md": "# 坏页面\n\n{{ [].pop() }}\n"},
     f"渲染页面 broken.md 第 3 行出错：下标超出范围（pop from empty list）。{EXPR_FIX}"),
    ("helper-called-wrongly", {"broken.md": "# 坏页面\n\n{{ 2024 | month_zh }}\n"},
     "渲染页面 broken.md 第 3 行出错：没有这个属性（'int' object has no attribute 'split'）。"
     + EXPR_FIX),
    ("missing-include", {"broken.md": "# 坏页面\n\n{% include 'no_such.md.j2' %}\n"},
     "渲染页面 broken.md 第 3 行出错：找不到被引用的模板“no_such.md.j2”。请检查 {% include %} 或 "
     "{% import %} 中的文件名，被引用的文件应在 site_src/ 或 generator/templates/ 中。"),
    ("error-in-included-template", {
        "broken.md": "# 坏页面\n\n{% include 'parts/bad.j2' %}\n",
        "parts/bad.j2": "第一行\n{{ 1 // 0 }}\n"},
     "渲染页面 broken.md 第 3 行（所引用的模板 parts/bad.j2 第 2 行）出错："
     "除数为零（integer division or "
     f"modulo by zero）。{EXPR_FIX}"),
    ("not-utf8", {"broken.md": b"# \xb7\xcf\xd2\xb3\n"},
     "渲染页面 broken.md 出错：页面不是 UTF-8 编码（第 3 个字节无效）。"
     "请把该页面另存为 UTF-8 编码。"),
    ("invisible-characters-escaped", {"broken.md": "# 坏页面\n\n{{ no\u200bsuch }}\n"},
     "渲染页面 broken.md 第 3 行出错：模板语法错误（unexpected char '\\u200b' at 12）。"
     + SYNTAX_FIX),
]


@pytest.mark.parametrize(("files", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_page_is_refused_with_the_page_and_line(
        project: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes],
        message: str) -> None:
    originals = {rel: (project / "site_src" / rel).read_bytes()
                 for rel in files if (project / "site_src" / rel).exists()}
    try:
        for rel, text in files.items():
            path = project / "site_src" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        monkeypatch.chdir(project)
        result = run_cli(["build", "--package", str(MINI)],
                         untouched=[project / "site", MINI, project / "site_src"])
    finally:
        for rel in files:
            path = project / "site_src" / rel
            if rel in originals:
                path.write_bytes(originals[rel])
            else:
                path.unlink()
    assert result.exit_code == 1, result.output
    assert result.output.endswith(f"错误：{message}\n"), result.output
    assert not list(project.glob(".site-new-*"))


def test_a_generated_page_is_named_by_its_template(tmp_path: Path) -> None:
    import jinja2

    folder = tmp_path / "templates"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "home.md.j2").write_text("a\nb\n{{ x.y.z }}\n", "utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)),
                             undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError) as caught:
        env.get_template("pages/home.md.j2").render(x={})
    error = page_error(caught.value, "pages/home.md.j2", [folder], ["x"])
    assert error.format_message() == (
        f"渲染页面 pages/home.md.j2 第 3 行出错：“dict object”没有属性“y”。{EXPR_FIX}")
