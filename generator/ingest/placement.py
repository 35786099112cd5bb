"""Placing rows in a district and a street/township of the reference data.

District names may come as 朝阳 or 朝阳区; streets are matched by name within the district,
also without their 街道/地区/镇/乡 suffix. When the street is empty or unknown, the street is
found in the detailed address (longest name first, searched within the row's district only).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.reference import District, Reference, Street

SUFFIXES = ("街道", "地区", "镇", "乡")
DISTRICT_SUFFIXES = ("区", "县")


def street_stem(name: str) -> str:
    """The name without its 街道/地区/镇/乡 suffix ('' if that leaves fewer than 2 chars)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""


@dataclass(frozen=True)
class Placement:
    street: Street | None
    reason: str
    """Why no street was found (Chinese), '' when placed."""
    by_address: bool = False


class RegionIndex:
    """Lookups of districts and streets in one Reference, with the profile's value maps."""

    def __init__(self, reference: Reference, district_values: dict[str, str],
                 street_values: dict[str, str], city: str = "") -> None:
        self.city = city
        """The city's name (settings site.city), stripped from addresses before matching."""
        self.district_values = district_values
        self.street_values = street_values
        self._districts: dict[str, District] = {}
        for d in reference.districts:
            self._districts[d.name] = d
            for suffix in DISTRICT_SUFFIXES:
                if d.name.endswith(suffix) and len(d.name) > 2:
                    self._districts.setdefault(d.name[: -len(suffix)], d)
        self._names: dict[str, dict[str, Street]] = {}
        self._tokens: dict[str, dict[str, set[str]]] = {}
        self._district_names: dict[str, str] = {d.code: d.name for d in reference.districts}
        for s in reference.streets:
            self._names.setdefault(s.district_code, {})[s.name] = s
            tokens = self._tokens.setdefault(s.district_code, {})
            tokens.setdefault(s.name, set()).add(s.code)
            stem = street_stem(s.name)
            if stem:
                tokens.setdefault(stem, set()).add(s.code)
        self._by_code = reference.street_by_code()
        self._ordered = {code: sorted(t, key=len, reverse=True) for code, t in self._tokens.items()}

    def district_by_name(self) -> dict[str, District]:
        """Reference districts by full name."""
        return {d.name: d for d in self._districts.values()}

    def district(self, raw: str) -> District | None:
        name = self.district_values.get(raw, raw).strip()
        return self._districts.get(name)

    def street(self, district: District, raw: str) -> Placement:
        """The street named `raw` in `district`, exact name first, then by stem."""
        name = self.street_values.get(raw, raw).strip()
        if not name:
            return Placement(None, "被反映街乡镇为空")
        exact = self._names.get(district.code, {}).get(name)
        if exact is not None:
            return Placement(exact, "")
        key = street_stem(name) or name
        codes = self._tokens.get(district.code, {}).get(key, set())
        if len(codes) == 1:
            return Placement(self._by_code[next(iter(codes))], "")
        if len(codes) > 1:
            return Placement(None, f"被反映街乡镇“{name}”在{district.name}对应多个街乡镇")
        return Placement(None, f"被反映街乡镇“{name}”不在{district.name}的参考数据中")

    def place_by_address(self, district: District, address: str) -> Placement:
        """Find a street name (or its stem) in the address, longest first, within the district."""
        text = address.replace(self.city, "") if self.city else address
        text = text.replace(district.name, "")
        for token in self._ordered.get(district.code, []):
            if token not in text:
                continue
            tokens = self._tokens[district.code]
            hits = {code for t in self._ordered[district.code]
                    if len(t) == len(token) and t in text for code in tokens[t]}
            if len(hits) == 1:
                return Placement(self._by_code[next(iter(hits))], "", by_address=True)
            return Placement(None, f"详细地址中的街乡镇名称在{district.name}对应多个街乡镇")
        return Placement(None, f"详细地址中找不到{district.name}的街乡镇名称")

    def place(self, district: District, raw_street: str, address: str,
              use_address: bool) -> Placement:
        """Street from the street column, else from the address."""
        found = self.street(district, raw_street)
        if found.street is not None or not use_address:
            return found
        by_address = self.place_by_address(district, address)
        if by_address.street is not None:
            return by_address
        return Placement(None, f"{found.reason}；{by_address.reason}")
