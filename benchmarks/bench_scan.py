"""Benchmark the personal-data scanner on a synthetic built site.

Generates (once, deterministic) under benchmarks/out/scan_site/: ~1,000 HTML pages shaped like
mkdocs-material output (Chinese text, numbers, tables, SVG charts, inline script and style) and
~50 MB of open-data CSVs of counts, with a known number of planted phone numbers. Then times
`scan_paths` against two baselines on the same files in the same run: reading and decoding
every file, and reading plus one naive phone regex. Prints MB/s and the ratios.

    python benchmarks/bench_scan.py [--pages 1000] [--csv-mb 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from generator.privacy.scan import iter_files, scan_paths

OUT = Path(__file__).parent / "out" / "scan_site"
PLANTED = 12  # phone numbers planted in pages: the scan must report exactly these

WORDS = [
    "生态环境", "噪声", "扬尘", "餐饮油烟", "夜间施工", "接诉即办", "响应率", "解决率", "满意率",
    "街道", "乡镇", "办结", "投诉", "诉求", "监测", "执法", "整改", "回访", "社区", "商户", "工地",
    "排放", "标准", "限值", "昼间", "夜间",
]
DISTRICTS = [
    "东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区", "房山区", "通州区",
    "顺义区",
]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 14))
    number = rng.choice([
        f"{rng.randint(1, 9999):,} 件", f"{rng.uniform(50, 100):.1f}%",
        f"{rng.randint(40, 70)} dB(A)",
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "GB 22337-2008", "12345",
        f"{rng.randint(110101001, 110119999)}", f"{rng.randint(10, 300)} μg/m³", "22:00–06:00",
    ])
    return "，".join(words[:4]) + f"（{number}）" + "".join(words[4:]) + "。"


def _page(rng: random.Random, index: int, plant: str | None) -> str:
    rows = "".join(
        f"<tr><td>{rng.choice(DISTRICTS)}</td><td>{rng.randint(0, 5000):,}</td>"
        f"<td>{rng.uniform(60, 100):.1f}%</td><td>{rng.randint(110101001, 110119999)}</td></tr>"
        for _ in range(rng.randint(40, 120))
    )
    bars = "".join(
        f'<rect x="{i * 12.5:.1f}" y="{rng.uniform(0, 200):.2f}" width="10" '
        f'height="{rng.uniform(0, 200):.2f}" fill="#1381ab"><title>{rng.randint(0, 999)}</title>'
        "</rect>"
        for i in range(60)
    )
    text = "".join(f"<p>{_sentence(rng)}</p>\n" for _ in range(rng.randint(30, 80)))
    if plant:
        text += f"<p>测试页联系电话：{plant}</p>\n"
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>第 {index} 页</title><style>.md-typeset{{color:#138123;margin:0 .8rem}}</style>"
        '<link rel="stylesheet" href="../assets/stylesheets/main.6f8fc17f.min.css">'
        '<script>var __md_scope=new URL("..",location);</script></head><body>\n'
        f'<article class="md-content__inner md-typeset">\n<h1>统计 {index}</h1>\n{text}'
        f"<table><thead><tr><th>区</th><th>件数</th><th>解决率</th><th>街道代码</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>\n"
        f'<svg viewBox="0 0 800 220" role="img"><path d="M0 0 L{rng.random():.6f} 1"/>{bars}'
        "</svg>\n</article>"
        '<script src="../assets/javascripts/bundle.c8d2eff1.min.js"></script></body></html>\n'
    )


def generate(pages: int, csv_mb: int) -> None:
    marker = OUT / f".generated-{pages}-{csv_mb}"
    if marker.exists():
        return
    rng = random.Random(20240601)
    plant_at = set(rng.sample(range(pages), PLANTED))
    for index in range(pages):
        path = OUT / "docs" / f"section{index % 20:02d}" / f"page{index:04d}" / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        plant = f"139{rng.randint(0, 99999999):08d}" if index in plant_at else None
        path.write_text(_page(rng, index, plant), encoding="utf-8")
    header = "month,district,district_code,street,street_code,element,category,count,resolved\n"
    per_file = 5 * 1024 * 1024
    for number in range(max(1, csv_mb // 5)):
        lines, size = [header], len(header)
        while size < per_file:
            line = (
                f"2024-{rng.randint(1, 12):02d},{rng.choice(DISTRICTS)},"
                f"{rng.randint(110101, 110119)},某某街道,{rng.randint(110101001, 110119999)},"
                f"大气,扬尘,{rng.randint(0, 5000)},{rng.randint(0, 5000)}\n"
            )
            lines.append(line)
            size += len(line.encode())
        (OUT / "open-data").mkdir(parents=True, exist_ok=True)
        (OUT / "open-data" / f"counts_{number:02d}.csv").write_text("".join(lines),
                                                                    encoding="utf-8")
    marker.touch()


def _read_all(files: list[Path]) -> int:
    return sum(len(path.read_bytes().decode("utf-8")) for path in files)


_NAIVE = re.compile(r"1[3-9][0-9]{9}")


def _naive_regex(files: list[Path]) -> int:
    return sum(len(_NAIVE.findall(path.read_bytes().decode("utf-8"))) for path in files)


def _best(func: object, rounds: int) -> float:
    assert callable(func)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--csv-mb", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    generate(args.pages, args.csv_mb)
    files = list(iter_files([OUT]))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    report = scan_paths([OUT])
    assert report.files_scanned == len(files)
    found = [(f.kind, f.masked) for f in report.findings]
    print(f"files: {len(files)}, {size_mb:.1f} MB; findings: {len(found)} (planted {PLANTED})")
    if len(found) != PLANTED or any(kind != "手机号码" for kind, _ in found):
        print("WARNING: findings differ from the planted phone numbers:", found[:20])
    read_s = _best(lambda: _read_all(files), args.rounds)
    naive_s = _best(lambda: _naive_regex(files), args.rounds)
    scan_s = _best(lambda: scan_paths([OUT]), args.rounds)
    for name, seconds in (("read+decode", read_s), ("read+naive regex", naive_s),
                          ("scan_paths", scan_s)):
        print(f"{name:18s} {seconds:7.2f} s  {size_mb / seconds:8.1f} MB/s")
    print(f"ratio scan/read = {scan_s / read_s:.1f}x; scan/naive regex = {scan_s / naive_s:.1f}x;"
          f" total scan time {scan_s:.2f} s (target <= 10 s on 2 cores)")


if __name__ == "__main__":
    main()
