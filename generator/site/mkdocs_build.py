"""The mkdocs stage: the site configuration with the deployment's settings, and the build.

mkdocs.yml holds what is the same for every deployment (theme, plugins, navigation). The
site's name and description, the 主办单位 and the hotline come from data/settings.yml and are
injected here, so a bureau edits one file; the footer partial reads them from `config.extra`.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.errors import BuildError, ConfigError
from generator.settings import Settings
from generator.text import shown

THEME_DIR = Path(__file__).resolve().parent.parent / "templates" / "theme"
"""The portal's theme overrides (footer, large-text toggle…), shipped with the package: a
bureau's project folder has no generator/ of its own, so mkdocs.yml does not name them."""

INJECTED_EXTRA = ("org", "hotline", "marks", "page_dates")
"""Keys of `config.extra` the build fills from the settings (and the release's dates);
mkdocs.yml must not set them."""

DEFAULT_EMBLEM = "assets/images/ecp-emblem.svg"
"""The neutral emblem shipped in THEME_DIR: header logo and favicon when site.emblem is unset."""
EMBLEM_COPY = "assets/images/ecp-emblem-site"
"""Where the build copies a configured site.emblem in the docs folder (plus its suffix)."""


def load_mkdocs_config(mkdocs_yml: Path, docs: Path, site: Path, settings: Settings,
                       place_names: Sequence[str] = (),
                       page_dates: Mapping[str, str] | None = None) -> Any:
    """mkdocs.yml with docs_dir/site_dir overridden and the settings injected; the search
    plugin's Chinese segmenter learns `place_names` (districts and streets). `page_dates`
    (published, updated, data_period) are what generated pages show as their dates;
    hand-written pages show their own front matter's."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    with _collecting("mkdocs.config") as collect:
        try:
            config = load_config(str(mkdocs_yml), docs_dir=str(docs), site_dir=str(site),
                                 site_name=settings.site.name,
                                 theme=_theme(mkdocs_yml, _emblem(settings, docs)),
                                 site_description=settings.site.description, strict=True)
        except (ConfigurationError, Abort) as exc:
            reason = "；".join(m.rstrip(".") for m in dict.fromkeys(collect.messages)) or str(exc)
            raise BuildError(
                f"网站配置 {mkdocs_yml} 有误：{reason}。请对照 README 修正。") from exc
    stale = [key for key in INJECTED_EXTRA if key in config["extra"]]
    if stale:  # an edit there would silently have no effect
        keys = "、".join(f"extra.{key}" for key in stale)
        where = {"org": "organisation", "hotline": "organisation", "marks": "site"}
        said = [f"主办单位和热线改在 {shown(settings.source)} 的 organisation 和 hotline 下填写"
                if where.get(key) == "organisation" else
                f"网站标识码、备案号和“我为政府网站找错”链接改在 {shown(settings.source)} 的 "
                "site 下填写" if key == "marks" else
                "页面日期由构建生成，手写页面的日期写在各页开头的 published 和 updated 中"
                for key in stale]
        raise ConfigError(
            f"网站配置 {shown(mkdocs_yml)} 中的 {keys} 已不再使用："
            f"{'；'.join(dict.fromkeys(said))}。请删除 mkdocs.yml 中的 {keys}。")
    org = settings.organisation
    config["extra"]["org"] = {
        "name": org.name, "address": org.address, "postcode": org.postcode,
        "phone": org.phone, "email": org.email, "hours": org.hours, "operator": org.operator}
    site_marks = settings.site
    config["extra"]["marks"] = {
        "site_code": site_marks.site_code, "icp": site_marks.icp,
        "police_record": site_marks.police_record, "police_code": site_marks.police_code,
        "error_report_url": site_marks.error_report_url}
    config["extra"]["page_dates"] = dict(page_dates or {})
    config["extra"]["hotline"] = {"number": settings.hotline.number,
                                  "name": settings.hotline.name}
    _place_dictionary(config, docs, place_names)
    return config


def _place_dictionary(config: Any, docs: Path, names: Sequence[str]) -> None:
    """A jieba user dictionary of the place names, unless mkdocs.yml names one: jieba splits
    most street names (东华门街道 → 东华门 / 街道), and the browser does not segment a query,
    so a typed street name would match nothing in the index."""
    search = config.plugins.get("material/search")
    if search is None or not names or search.config.get("jieba_dict_user"):
        return
    path = docs / ".jieba-places.txt"  # mkdocs leaves dot files out of the site
    path.write_text("".join(f"{n} 100000 ns\n" for n in dict.fromkeys(names)), "utf-8")
    search.config["jieba_dict_user"] = str(path)


def _emblem(settings: Settings, docs: Path) -> str:
    """The docs-relative path of the emblem: site.emblem copied into `docs`, else the
    theme's neutral one."""
    source = settings.site.emblem
    if source is None:
        return DEFAULT_EMBLEM
    target = docs / f"{EMBLEM_COPY}{source.suffix.lower()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target.relative_to(docs).as_posix()


def _theme(mkdocs_yml: Path, emblem: str = DEFAULT_EMBLEM) -> dict[str, Any]:
    """mkdocs.yml's theme section with the package's overrides as its custom_dir and the
    emblem as logo and favicon."""
    import yaml
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with mkdocs_yml.open("rb") as fh:
            raw = yaml_load(fh)
    except (OSError, yaml.YAMLError, ConfigurationError) as exc:
        raise BuildError(f"无法读取网站配置 {shown(mkdocs_yml)}（{exc}）。请对照 README 修正。") \
            from exc
    theme = raw.get("theme") if isinstance(raw, dict) else None
    if isinstance(theme, str):
        theme = {"name": theme}
    if not isinstance(theme, dict):
        raise BuildError(f"网站配置 {shown(mkdocs_yml)} 缺少 theme 部分"
                         "（应为 name: material 及其设置）。请对照仓库中的 mkdocs.yml 修正。")
    return {**theme, "custom_dir": str(THEME_DIR), "logo": emblem, "favicon": emblem}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collecting(name: str) -> Iterator[_Collect]:
    """The warnings and errors logger `name` emits meanwhile (mkdocs reports through it)."""
    collect = _Collect()
    logger = logging.getLogger(name)
    logger.addHandler(collect)
    try:
        yield collect
    finally:
        logger.removeHandler(collect)


def run_mkdocs(config: Any) -> None:
    """Build the site `config` describes; any mkdocs warning stops it (strict mode)."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    # The search plugin's Chinese tokenizer (jieba) logs its start-up in English at DEBUG
    # level; staff see one Chinese line per stage instead.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with _collecting("mkdocs") as collect:
        try:
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (MkDocsException, SystemExit) as exc:
            unique = dict.fromkeys(collect.messages)  # mkdocs may log a warning twice
            details = "\n".join(f"  - {m}" for m in unique) or f"  - {exc}"
            raise BuildError(
                "mkdocs 构建失败（严格模式下任何警告都会中止构建），原网站保持不变：\n"
                f"{details}\n修正方法：按上面的提示修改 site_src/ 中的页面或 mkdocs.yml 后"
                "重新构建。") from exc
