"""Synthetic raw 12345 exports (fake but realistic personal data), deterministic per seed.

Makes the committed fixture and the 1M-row benchmark input:

    python benchmarks/raw_export.py --rows 300 --seed 12345 \
        --out tests/fixtures/raw/beijing_12345_export.csv
    python benchmarks/raw_export.py --example-311 --rows 60 --seed 311 \
        --out tests/fixtures/raw/example_311.csv

Every name, phone number and address is invented: names from common surnames, phones in the
valid mobile format, addresses with 号院/号楼/单元/室, free text quoting a phone and a name. A few
rows are deliberately bad (dates, categories, missing fields, order of times, unknown
district) and a few addresses cannot be placed in a street.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僪桑荆谌银扬明沙薄伏岑习胥保和蔺")  # noqa: E501
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "金凤",
         "玉兰", "志强", "海燕", "晓东", "子涵", "梓萱", "浩然", "一诺", "欣怡", "宇轩", "雨桐"]
COMMUNITY = ["锦绣", "丽景", "华庭", "嘉园", "翠微", "金色", "怡景", "融泽", "柏悦", "瑞雪",
             "星河", "馨苑", "枫林", "泊岸", "悦府", "云筑", "澜庭", "鸿雁"]
COMMUNITY_KIND = ["小区", "家园", "公寓", "佳苑", "花园"]
RAW_CATEGORIES = {  # 二级分类 → 三级分类 (raw names as the hotline files them)
    "大气污染": ["餐饮油烟扰民", "施工扬尘", "道路扬尘", "异味扰民", "工业企业废气", "机动车尾气"],
    "噪声污染": ["生活噪声", "商业经营噪声", "施工噪声", "工业噪声", "交通噪声"],
    "水污染": ["河湖水体污染", "污水直排"],
    "固体废物": ["垃圾堆放", "危险废物处置"],
    "辐射及其他": ["基站辐射", "破坏生态", "其他环境问题"],
}
CAT_WEIGHTS = {"大气污染": 0.49, "噪声污染": 0.39, "水污染": 0.03, "固体废物": 0.01,
               "辐射及其他": 0.08}
ISSUES = {
    "餐饮油烟扰民": "楼下餐馆油烟很大", "施工扬尘": "工地扬尘严重", "道路扬尘": "路面尘土飞扬",
    "异味扰民": "夜间有刺鼻异味", "工业企业废气": "工厂排放废气", "机动车尾气": "货车冒黑烟",
    "生活噪声": "广场舞音响声音很大", "商业经营噪声": "商铺外放音乐扰民",
    "施工噪声": "夜间施工噪声扰民", "工业噪声": "厂房机器轰鸣", "交通噪声": "道路噪声很大",
    "河湖水体污染": "河道水体发黑发臭", "污水直排": "有污水直接排入河道",
    "垃圾堆放": "空地堆放建筑垃圾", "危险废物处置": "有人倾倒废机油",
    "基站辐射": "楼顶新装基站担心辐射", "破坏生态": "有人砍伐绿地树木",
    "其他环境问题": "环境问题反映",
}
HEADER = ["工单编号", "来电时间", "派单时间", "首次联系时间", "办结时间", "来电人姓名", "来电号码",
          "受理渠道", "一级分类", "二级分类", "三级分类", "被反映区", "被反映街乡镇", "详细地址",
          "诉求内容", "办理状态", "承办层级", "是否升级", "时限类别", "是否有效回访", "是否联系",
          "是否解决", "是否满意", "来源"]


def _stem(name: str) -> str:
    for suffix in ("街道", "地区", "镇", "乡"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _tokens(streets: pd.DataFrame) -> set[str]:
    return set(streets["street"]) | {_stem(s) for s in streets["street"]}


def _phone(rng: np.random.Generator, n: int) -> np.ndarray:
    second = rng.choice(list("3456789"), n)
    rest = rng.integers(0, 10**9, n)
    return np.array([f"1{s}{r:09d}" for s, r in zip(second, rest, strict=True)], dtype=object)


def _styled_phone(p: str, style: int) -> str:
    if style == 1:
        return f"{p[:3]} {p[3:7]} {p[7:]}"
    if style == 2:
        return f"+86-{p}"
    if style == 3:
        return f"{p[:3]}****{p[7:]}"
    return p


def generate(rows: int, seed: int, *, bad: bool = True) -> pd.DataFrame:
    """A raw export of `rows` rows (about 1% deliberately bad when `bad`)."""
    rng = np.random.default_rng(seed)
    districts = pd.read_csv(REFERENCE / "districts.csv", dtype=str)
    streets = pd.read_csv(REFERENCE / "streets.csv", dtype=str)
    tokens = _tokens(streets)
    assert not any(t in "".join(COMMUNITY + COMMUNITY_KIND) for t in tokens if len(t) >= 2)
    weights = districts["population_k"].astype(float).to_numpy()
    d_idx = rng.choice(len(districts), rows, p=weights / weights.sum())
    d_names = districts["district"].to_numpy()[d_idx]
    by_district = {d: g["street"].to_numpy() for d, g in streets.groupby("district")}
    street = np.array([by_district[d][rng.integers(len(by_district[d]))] for d in d_names],
                      dtype=object)
    start = np.datetime64("2024-01-01T00:00:00")
    received = start + rng.integers(0, 730 * 86400, rows).astype("timedelta64[s]")
    dispatched = received + rng.exponential(1800, rows).astype("timedelta64[s]") + 60
    contacted = dispatched + rng.exponential(4 * 3600, rows).astype("timedelta64[s]") + 60
    closed_t = contacted + rng.exponential(2 * 86400, rows).astype("timedelta64[s]") + 600
    proactive = rng.random(rows) < 0.08
    is_closed = rng.random(rows) < 0.9
    has_contact = is_closed | (rng.random(rows) < 0.5)
    level = rng.choice(["街乡镇", "区级", "市级"], rows, p=[0.85, 0.12, 0.03])
    escalated = np.where(level == "街乡镇", "否", "是")
    urgency = rng.choice(["一般诉求", "紧急", "民生保障类", "疑难诉求"], rows,
                         p=[0.8, 0.03, 0.07, 0.1])
    second = rng.choice(list(CAT_WEIGHTS), rows, p=list(CAT_WEIGHTS.values()))
    third = np.array([RAW_CATEGORIES[s][rng.integers(len(RAW_CATEGORIES[s]))] for s in second],
                     dtype=object)
    channel = np.where(proactive, "主动发现", rng.choice(
        ["12345热线电话", "12345网站", "微信公众号", "来信", "来访"], rows,
        p=[0.65, 0.15, 0.1, 0.05, 0.05]))
    pool = _phone(rng, max(1, int(rows * 0.7)))
    phone = pool[rng.integers(len(pool), size=rows)]
    names = np.array([SURNAMES[i % len(SURNAMES)] for i in rng.integers(0, len(SURNAMES), rows)],
                     dtype=object) + rng.choice(GIVEN, rows)
    style = rng.choice(4, rows, p=[0.8, 0.1, 0.05, 0.05])
    phone_text = np.array([_styled_phone(p, s) for p, s in zip(phone, style, strict=True)],
                          dtype=object)
    # street column: full name, stem, or empty (then the address names the street)
    s_mode = rng.choice(3, rows, p=[0.85, 0.05, 0.10])
    street_col = np.where(s_mode == 0, street, np.where(
        s_mode == 1, [_stem(s) for s in street], ""))
    a_mode = np.where(s_mode == 2, rng.choice([0, 1], rows), rng.choice(3, rows))
    community = (rng.choice(COMMUNITY, rows) + rng.choice(COMMUNITY_KIND, rows)).astype(object)
    nums = rng.integers(1, 40, (rows, 4))
    addr = []
    for i in range(rows):
        part = (street[i], _stem(street[i]), "")[a_mode[i]]
        addr.append(f"北京市{d_names[i]}{part}{community[i]}{nums[i, 0]}号院{nums[i, 1]}号楼"
                    f"{nums[i, 2] % 6 + 1}单元{nums[i, 3] * 100 + 1 + i % 3}室")
    address = np.array(addr, dtype=object)
    content = np.array([
        f"{n}反映：{a}附近{ISSUES[t]}，已持续多日，请尽快处理。联系电话{p}，{n[0]}先生/女士。"
        for n, a, t, p in zip(names, community, third, phone, strict=True)], dtype=object)
    content[proactive] = [f"巡查发现{ISSUES[t]}。" for t in third[proactive]]
    names[proactive] = ""
    phone_text[proactive] = ""
    revisit = np.where(is_closed & ~proactive, np.where(rng.random(rows) < 0.85, "是", "否"), "")
    valid = revisit == "是"
    contacted_yn = np.where(valid, np.where(rng.random(rows) < 0.99, "是", "否"), "")
    resolved = np.where(valid, np.where(rng.random(rows) < 0.95, "是", "否"), "")
    satisfaction = np.where(valid, rng.choice(["满意", "基本满意", "不满意", "未评价"], rows,
                                              p=[0.9, 0.06, 0.03, 0.01]), "")
    fmt_slash = rng.random(rows) < 0.1

    def fmt(t: np.ndarray, present: np.ndarray) -> np.ndarray:
        iso = np.datetime_as_string(t, unit="s").astype(object)
        dash = np.array([s.replace("T", " ") for s in iso], dtype=object)
        slash = np.array([s[:16].replace("-", "/").replace("T", " ") for s in iso], dtype=object)
        return np.where(present, np.where(fmt_slash, slash, dash), "")

    day = np.datetime_as_string(received, unit="D")
    frame = pd.DataFrame({
        "工单编号": [f"GD{d.replace('-', '')}{i:07d}" for i, d in enumerate(day)],
        "来电时间": fmt(received, np.ones(rows, bool)),
        "派单时间": fmt(dispatched, np.ones(rows, bool)),
        "首次联系时间": fmt(contacted, has_contact),
        "办结时间": fmt(closed_t, is_closed),
        "来电人姓名": names, "来电号码": phone_text, "受理渠道": channel,
        "一级分类": "生态环境", "二级分类": second, "三级分类": third,
        "被反映区": np.where(rng.random(rows) < 0.3, [d[:-1] for d in d_names], d_names),
        "被反映街乡镇": street_col, "详细地址": address, "诉求内容": content,
        "办理状态": np.where(is_closed, rng.choice(["已办结", "已结案"], rows, p=[0.95, 0.05]),
                         "办理中"),
        "承办层级": level, "是否升级": escalated, "时限类别": urgency,
        "是否有效回访": revisit, "是否联系": contacted_yn, "是否解决": resolved,
        "是否满意": satisfaction, "来源": np.where(proactive, "主动治理", "市民诉求"),
    }, columns=HEADER)
    if bad:
        _spoil(frame, rng, streets)
    return frame


def _spoil(frame: pd.DataFrame, rng: np.random.Generator, streets: pd.DataFrame) -> None:
    """Make about 1% of rows bad and 1% unplaceable, at seed-determined rows."""
    rows = len(frame)
    k = max(2, rows // 100)
    picks = rng.choice(rows, size=min(rows, 7 * k), replace=False).reshape(7, -1)
    frame.loc[picks[0], "来电时间"] = "2024-02-30 10:00:00"
    frame.loc[picks[1], "三级分类"] = "占道经营"
    frame.loc[picks[2], "办理状态"] = ""
    frame.loc[picks[3], "来电时间"] = "2026-12-31 23:59:59"  # after the other times
    frame.loc[picks[4], "被反映区"] = "雄安新区"
    # unplaceable: no street, and an address naming no street of the district
    frame.loc[picks[5], "被反映街乡镇"] = ""
    frame.loc[picks[5], "详细地址"] = [f"北京市某小区东侧空地{rng.integers(1, 30)}号院"
                                   for _ in picks[5]]
    frame.loc[picks[6], "被反映街乡镇"] = "不存在街道"
    frame.loc[picks[6], "详细地址"] = [f"{d}附近{rng.integers(1, 30)}号楼北侧"
                                   for d in frame.loc[picks[6], "被反映区"]]


BOROUGH_BOARDS = {"MANHATTAN": 3, "BROOKLYN": 3, "QUEENS": 2, "BRONX": 2, "STATEN ISLAND": 1}
TYPES_311 = {
    "Noise - Residential": ["Loud Music/Party", "Banging/Pounding"],
    "Noise - Commercial": ["Loud Music/Party"],
    "Noise": ["Noise: Construction Before/After Hours (NM1)"],
    "Air Quality": ["Air: Odor/Fumes, Restaurant (AD1)", "Air: Dust, Construction/Demolition (AE4)",
                    "Air: Smoke, Vehicular (AA4)"],
    "Water Quality": ["Surface Water"],
    "Dirty Condition": ["Trash"],
}
STREETS_311 = ["Broadway", "Atlantic Avenue", "Queens Boulevard", "Grand Concourse", "Main Street",
               "Flatbush Avenue", "Amsterdam Avenue", "Victory Boulevard"]
FIRST_311 = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda"]
LAST_311 = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis"]


def generate_311(rows: int, seed: int) -> pd.DataFrame:
    """An English 311-style export: New York local times, boroughs and community boards."""
    rng = np.random.default_rng(seed)
    boroughs = rng.choice(list(BOROUGH_BOARDS), rows)
    boards = [f"{rng.integers(1, BOROUGH_BOARDS[b] + 1):02d} {b}" for b in boroughs]
    start = np.datetime64("2024-03-01T00:00:00")
    created = start + rng.integers(0, 30 * 86400, rows).astype("timedelta64[s]")
    closed = created + rng.exponential(86400, rows).astype("timedelta64[s]") + 300
    is_closed = rng.random(rows) < 0.8
    ctype = rng.choice(list(TYPES_311), rows)
    desc = [TYPES_311[t][rng.integers(len(TYPES_311[t]))] for t in ctype]

    def us(t: np.datetime64) -> str:
        return pd.Timestamp(t).strftime("%m/%d/%Y %I:%M:%S %p")

    frame = pd.DataFrame({
        "Unique Key": [str(60000000 + i * 7) for i in range(rows)],
        "Created Date": [us(t) for t in created],
        "Closed Date": [us(t) if c else "" for t, c in zip(closed, is_closed, strict=True)],
        "Agency": "DEP", "Complaint Type": ctype, "Descriptor": desc,
        "Contact Name": [f"{rng.choice(FIRST_311)} {rng.choice(LAST_311)}" for _ in range(rows)],
        "Contact Phone": [f"(212) 555-{rng.integers(1000, 10000)}" for _ in range(rows)],
        "Incident Address": [f"{rng.integers(1, 2000)} {rng.choice(STREETS_311).upper()}"
                             for _ in range(rows)],
        "Borough": boroughs, "Community Board": boards,
        "Status": np.where(is_closed, "Closed", rng.choice(["Open", "In Progress"], rows)),
        "Open Data Channel Type": rng.choice(["PHONE", "ONLINE", "MOBILE", "UNKNOWN"], rows),
        "Resolution Description": "The Department of Environmental Protection investigated.",
    })
    frame.loc[0, "Created Date"] = "03/10/2024 02:30:00 AM"  # does not exist in New York
    frame.loc[0, "Closed Date"] = "03/10/2024 09:00:00 AM"
    frame.loc[0, "Status"] = "Closed"
    frame.loc[1, "Complaint Type"], frame.loc[1, "Descriptor"] = "Illegal Parking", "Blocked"
    return frame


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "gb18030") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding=encoding, quoting=csv.QUOTE_MINIMAL,
                 lineterminator="\r\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--encoding", default="gb18030")
    parser.add_argument("--example-311", action="store_true",
                        help="an English 311-style export (New York time) instead")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.example_311:
        generate_311(args.rows, args.seed).to_csv(args.out, index=False, encoding="utf-8")
    else:
        write_csv(generate(args.rows, args.seed), args.out, args.encoding)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
