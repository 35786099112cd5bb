"""The numbers behind the synthetic sample: mixes, seasonality, hours and service levels.

Shares follow the Beijing bureau's bulletin (shared/DOMAIN.md §2): 大气 49.5 %, 噪声 39 %,
水 2.4 %, 固废 0.8 %, 辐射及其他 8.3 %. Everything here is a plain constant so the generator
code stays free of magic numbers.
"""

from __future__ import annotations

from generator.dataset.vocabulary import URGENCY_CLASSES

# Share (in % of all records, averaged over a calendar year) of each category.
CATEGORY_SHARES: dict[str, float] = {
    "餐饮油烟": 22.0,
    "扬尘": 14.5,
    "异味恶臭": 7.5,
    "企业废气": 3.5,
    "机动车尾气": 2.0,
    "社会生活噪声": 24.0,
    "建筑施工噪声": 10.0,
    "工业噪声": 2.5,
    "交通运输噪声": 2.5,
    "地表水": 1.0,
    "污水排放": 1.4,
    "一般固废": 0.6,
    "危险废物": 0.2,
    "电磁辐射": 3.0,
    "生态破坏": 1.3,
    "其他": 4.0,
}

# Calendar-month multipliers (Jan..Dec); normalised to mean 1 by the generator so the yearly
# shares above hold. Categories not listed are flat.
SEASONALITY: dict[str, tuple[float, ...]] = {
    # summer nights: windows open, outdoor life, square dancing, air conditioners
    "社会生活噪声": (0.75, 0.75, 0.85, 0.95, 1.1, 1.3, 1.45, 1.35, 1.1, 0.95, 0.8, 0.7),
    # open-air barbecue season
    "餐饮油烟": (0.85, 0.85, 0.9, 1.0, 1.05, 1.15, 1.2, 1.15, 1.05, 1.0, 0.9, 0.9),
    # construction season Mar–Nov; spring wind makes it worse
    "扬尘": (0.5, 0.55, 1.3, 1.6, 1.4, 1.05, 0.95, 0.95, 1.0, 1.05, 0.95, 0.6),
    "建筑施工噪声": (0.6, 0.55, 1.05, 1.15, 1.15, 1.15, 1.1, 1.1, 1.1, 1.1, 1.05, 0.7),
    "异味恶臭": (0.85, 0.85, 0.9, 1.0, 1.05, 1.2, 1.3, 1.25, 1.05, 0.95, 0.85, 0.85),
    "地表水": (0.6, 0.6, 0.8, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 0.9, 0.8, 0.7),
}

# Monthly volume: about BASE_MONTHLY requests in END_MONTH's year, growing GROWTH_PER_YEAR.
BASE_MONTHLY = 4250.0
GROWTH_PER_YEAR = 0.07

# Receipt hour profiles (24 relative weights, hour 0..23).
_OFFICE = (0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.6, 3.0, 3.0, 2.8,
           2.3, 2.5, 2.8, 2.8, 2.6, 2.3, 1.8, 1.5, 1.3, 1.0, 0.7, 0.5)
HOUR_PROFILES: dict[str, tuple[float, ...]] = {
    "default": _OFFICE,
    # meal times 11–13 h and 17–20 h
    "餐饮油烟": (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.0, 1.3, 2.5, 4.5,
             5.0, 3.5, 1.5, 1.2, 1.8, 4.0, 5.5, 5.5, 4.2, 2.5, 1.2, 0.6),
    # evenings and night
    "社会生活噪声": (3.5, 2.2, 1.2, 0.7, 0.5, 0.6, 1.0, 1.2, 1.3, 1.4, 1.4, 1.3,
               1.6, 1.5, 1.3, 1.3, 1.3, 1.5, 2.0, 3.0, 4.2, 5.2, 6.0, 5.0),
    # mostly working hours, a real share at night (concrete pours, night transport)
    "建筑施工噪声": (2.6, 2.0, 1.4, 1.0, 0.8, 1.0, 1.8, 2.6, 2.6, 2.5, 2.4, 2.2,
               2.4, 2.3, 2.3, 2.3, 2.3, 2.2, 2.0, 1.8, 1.8, 2.0, 3.0, 3.0),
    "扬尘": (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 3.2, 3.6, 3.6, 3.2,
           2.6, 2.8, 3.2, 3.2, 3.0, 2.5, 1.6, 1.0, 0.7, 0.5, 0.4, 0.3),
}
# Summer nights (Jun–Aug) push social-life noise further into the night.
SUMMER_MONTHS = (6, 7, 8)
SUMMER_NIGHT_NOISE = (5.0, 3.2, 1.6, 0.8, 0.5, 0.6, 1.0, 1.1, 1.2, 1.2, 1.2, 1.2,
                      1.4, 1.4, 1.2, 1.2, 1.2, 1.4, 1.9, 3.0, 4.6, 6.2, 7.5, 6.5)

# District emphasis by category (multiplier on population weight).
CORE_DISTRICTS = ("东城区", "西城区", "朝阳区", "海淀区")
GROWTH_DISTRICTS = ("通州区", "大兴区", "昌平区", "房山区", "顺义区")
MOUNTAIN_DISTRICTS = ("门头沟区", "怀柔区", "平谷区", "密云区", "延庆区")
DISTRICT_EMPHASIS: dict[str, tuple[tuple[str, ...], float]] = {
    "餐饮油烟": (CORE_DISTRICTS, 1.35),
    "社会生活噪声": (CORE_DISTRICTS, 1.25),
    "扬尘": (GROWTH_DISTRICTS, 1.35),
    "建筑施工噪声": (GROWTH_DISTRICTS, 1.3),
    "地表水": (MOUNTAIN_DISTRICTS, 2.0),
    "生态破坏": (MOUNTAIN_DISTRICTS, 2.5),
    "企业废气": (GROWTH_DISTRICTS, 1.3),
}
# Street weights within a district: lognormal spread (a few hot streets) times the unit kind.
STREET_SPREAD_SIGMA = 0.75
STREET_KIND_WEIGHT = {"街道": 1.3, "地区": 1.0, "镇": 0.75, "乡": 0.6, "其他": 0.5}

# Source and channel.
PROACTIVE_SHARE = {"扬尘": 0.1, "餐饮油烟": 0.06, "建筑施工噪声": 0.05, "default": 0.03}
CHANNELS = ("热线电话", "网络", "微信", "来信", "来访")
CHANNEL_SHARES = (0.78, 0.12, 0.08, 0.012, 0.008)

# Urgency (deadline class) mix; 疑难 more common for dust, construction and industry.
URGENCIES = URGENCY_CLASSES
URGENCY_SHARES = (0.012, 0.035, 0.883, 0.07)
HARD_CATEGORIES = ("扬尘", "建筑施工噪声", "企业废气", "工业噪声", "危险废物")
HARD_FACTOR = 1.8

# Escalation from the street (街乡) to the district (区) or city (市) steward.
ESCALATION_RATE = 0.035
ESCALATION_HARD_FACTOR = 3.0
ESCALATION_REPEAT_FACTOR = 2.0
CITY_SHARE_OF_ESCALATED = 0.2
LATE_RATE = {"紧急": 0.02, "民生保障": 0.015, "一般": 0.015, "疑难": 0.05}
LATE_ESCALATED_FACTOR = 2.0
MAX_OVERDUE_HOURS = 48
"""A late case closes at most this long after its deadline (so only ~2 weeks stay open)."""

# Repeat places: about one per REPEAT_PLACE_EVERY records, each with 2..REPEAT_MAX reports.
REPEAT_PLACE_EVERY = 300
REPEAT_MAX = 60
REPEAT_CATEGORY_WEIGHT = {
    "餐饮油烟": 0.4, "社会生活噪声": 0.3, "建筑施工噪声": 0.15, "扬尘": 0.08,
    "异味恶臭": 0.04, "工业噪声": 0.02, "企业废气": 0.01,
}
# Share of other citizen requests filed by a frequent complainant (pool of n / 40 people).
FREQUENT_COMPLAINANT_SHARE = 0.05

# Follow-up of closed citizen requests. An unresolved request is rated 不满意 with
# UNRESOLVED_DISSATISFIED probability.
UNRESOLVED_DISSATISFIED = 0.5
REVISIT_VALID_RANGE = (0.85, 0.92)
"""Per-district share of valid follow-up calls is drawn from this range."""
NOT_CONTACTED = 0.002
NOT_RESOLVED = 0.0035
UNRATED = 0.002
DISSATISFIED = 0.002
BASIC_SATISFIED = 0.016
# Quality multiplier (≥ 1 means worse) on the dissatisfaction and non-resolution rates.
WEAK_DISTRICTS = 3
WEAK_DISTRICT_FACTOR = (2.0, 3.5)
WEAK_STREET_SHARE = 0.06
WEAK_STREET_FACTOR = (2.0, 4.0)
ESCALATED_QUALITY_FACTOR = 2.5
REPEAT_QUALITY_FACTOR = 1.8
