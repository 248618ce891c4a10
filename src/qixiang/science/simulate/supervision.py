"""A plausible city for the lightning-protection supervision demo, as plain records.

Hangzhou-like: its districts (GB/T 2260 codes of 330100), about 300 key units of the usual
categories (fuel stations and depots, gas stations, chemical plants, fireworks shops; schools,
hospitals, stadiums, scenic spots; metro depots, data centres, telecom hubs; museums) with one
to three sites each, 12 inspection agencies (one from Shanghai, filed to work here), 60
inspectors and their instruments, and two years of periodic inspections up to ``today``: tasks,
on-site sessions with BeiDou/GPS fixes and photos, measurements against limits, reports, the
hazards failed measurements raise (and self-checks), each hazard carried to a state of the
find-fix-clear loop that fits its age, credit records, random enforcement draws and cases.

A few records are deliberately suspicious, each listed in :attr:`City.manifest` with the
anomaly rule of spec §6 it should trigger (copy-pasted measurement vectors across sites, GNSS
fixes far from the site, impossible travel between sessions, sessions of a few minutes, photos
reused across sites, inspectors with lapsed certificates, instruments out of calibration, lone
inspectors, reports issued before measuring, implausible or uniform values, grade B agencies on
class 2 structures) so the screening models can be scored against it.

Pure Python: records are dicts whose relations are ``key`` strings; times are aware datetimes in
Beijing time (UTC+8); the same ``seed`` and ``today`` give the same city. Identifiers are valid
(GB 32100 credit codes, GB 11643 ID numbers) except the few planted to fail their check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass, field

from qixiang.science.identifiers import (
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

DEFAULT_SEED = 20231122
BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")
CITY_CODE = "330100"

# district code, name, centre (lat, lon), spread (degrees), weight (how many units)
DISTRICTS = (
    ("330102", "上城区", 30.25, 120.17, 0.03, 3), ("330105", "拱墅区", 30.32, 120.14, 0.03, 3),
    ("330106", "西湖区", 30.26, 120.10, 0.04, 3), ("330108", "滨江区", 30.20, 120.20, 0.03, 2),
    ("330109", "萧山区", 30.16, 120.27, 0.08, 4), ("330110", "余杭区", 30.40, 120.00, 0.08, 4),
    ("330111", "富阳区", 30.05, 119.95, 0.08, 2), ("330112", "临安区", 30.23, 119.72, 0.10, 2),
    ("330113", "临平区", 30.42, 120.30, 0.05, 2), ("330114", "钱塘区", 30.30, 120.48, 0.05, 3),
    ("330122", "桐庐县", 29.80, 119.68, 0.08, 1), ("330127", "淳安县", 29.61, 119.04, 0.10, 1),
    ("330182", "建德市", 29.48, 119.28, 0.08, 1),
)
PLACES = ("西湖", "钱江", "之江", "运河", "良渚", "天目", "富春", "湘湖", "临平", "云栖", "九溪",
          "龙井", "北山", "滨盛", "江南", "新塘", "半山", "丁桥", "闲林", "瓶窑", "塘栖", "义蓬",
          "瓜沥", "河庄", "新登", "於潜", "分水", "千岛湖", "梅城", "寿昌")
STREETS = ("文一路", "文二路", "天目山路", "延安路", "莫干山路", "江南大道", "金城路", "临平大道",
           "余杭塘路", "文三路", "滨盛路", "市心路", "春江路", "迎宾大道", "新安江路")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕建华文斌晓东"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# category, industry, name suffix, lightning class choices, explosion zones, weight
INDUSTRIES = (
    ("flammable_explosive", "加油站", "中国石化{p}加油站", (2,), ("1", "2"), 40),
    ("flammable_explosive", "油库", "{p}石油储运有限公司", (1,), ("0", "1", "2"), 8),
    ("flammable_explosive", "液化气站", "{p}液化气供应站", (1, 2), ("1", "2"), 12),
    ("flammable_explosive", "化工", "杭州{p}化工有限公司", (1, 2), ("1", "2", "21"), 18),
    ("flammable_explosive", "烟花爆竹", "{p}烟花爆竹批发部", (1,), ("20", "21"), 10),
    ("crowded", "学校", "杭州市{p}中学", (2, 3), (), 35),
    ("crowded", "医院", "{p}人民医院", (2,), (), 20),
    ("crowded", "体育馆", "{p}体育中心", (2,), (), 8),
    ("crowded", "商场", "{p}购物中心", (2,), (), 20),
    ("crowded", "景区", "{p}风景区管理处", (2, 3), (), 12),
    ("infrastructure", "地铁", "杭州地铁{p}车辆段", (2,), (), 8),
    ("infrastructure", "数据中心", "{p}云计算数据中心", (2,), (), 15),
    ("infrastructure", "通信", "中国移动{p}通信枢纽楼", (2,), (), 15),
    ("infrastructure", "变电站", "国网{p}110kV变电站", (2,), (), 12),
    ("infrastructure", "水厂", "{p}水厂", (3,), (), 8),
    ("heritage", "博物馆", "{p}博物馆", (2, 3), (), 8),
    ("heritage", "古建筑", "{p}古建筑群管理所", (3,), (), 6),
    ("other", "物流园", "{p}物流园区有限公司", (3,), (), 25),
)
SITE_NAMES = {"加油站": ("站房及罩棚",), "油库": ("储罐区", "装卸区", "办公楼"),
              "液化气站": ("储罐区", "灌装间"), "化工": ("生产车间", "仓库", "罐区"),
              "烟花爆竹": ("仓库",), "学校": ("教学楼", "体育馆"), "医院": ("门诊楼", "住院楼"),
              "体育馆": ("主场馆", "训练馆"), "商场": ("主楼",), "景区": ("游客中心", "观景台"),
              "地铁": ("检修库", "综合楼"), "数据中心": ("机房楼", "动力中心"),
              "通信": ("枢纽楼", "铁塔"), "变电站": ("主控楼", "户外设备区"),
              "水厂": ("加药间", "办公楼"), "博物馆": ("展馆",), "古建筑": ("大殿", "钟楼"),
              "物流园": ("仓库", "办公楼")}


@dataclass
class City:
    """Every record of the demo city, in the order they are created."""

    today: dt.date
    seed: int
    subjects: list[dict] = field(default_factory=list)
    key_units: list[dict] = field(default_factory=list)
    sites: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    agencies: list[dict] = field(default_factory=list)
    filings: list[dict] = field(default_factory=list)
    annual_reports: list[dict] = field(default_factory=list)
    inspectors: list[dict] = field(default_factory=list)
    instruments: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    photos: list[dict] = field(default_factory=list)
    measurements: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    hazards: list[dict] = field(default_factory=list)
    rectifications: list[dict] = field(default_factory=list)
    credit: list[dict] = field(default_factory=list)
    draws: list[dict] = field(default_factory=list)
    enforcement: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    manifest: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(value) for name, value in self.__dict__.items()
                if isinstance(value, list)}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """The point ``metres`` away from (lat, lon) towards ``bearing`` (radians from north)."""
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


class _Maker:
    """Random but valid names, codes and times from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_orgs: set[str] = set()
        self.used_ids: set[str] = set()
        self.used_names: set[tuple[str, str]] = set()

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN)
                                                   for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        return "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789")
                                                       for _ in range(9))

    def uscc(self, region: str, kind: str = "91") -> str:
        while True:
            org8 = "MA" + "".join(self.rng.choice(USCC_CHARS[:24]) for _ in range(6))
            org = org8 + org_code_check_char(org8)
            if org not in self.used_orgs and org[-1] in USCC_CHARS:
                self.used_orgs.add(org)
                body = kind + region + org
                return body + uscc_check_char(body)

    def resident_id(self, region: str, born_from: int = 1965, born_to: int = 1998) -> str:
        while True:
            born = dt.date(self.rng.randint(born_from, born_to), self.rng.randint(1, 12),
                           self.rng.randint(1, 28))
            body = f"{region}{born:%Y%m%d}{self.rng.randint(1, 999):03d}"
            number = body + resident_id_check_char(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def sha(self, *parts: object) -> str:
        return hashlib.sha256("|".join(map(str, (*parts, self.rng.random()))).encode()).hexdigest()

    def at(self, day: dt.date, hour_from: float = 8.5, hour_to: float = 16.5) -> dt.datetime:
        minutes = self.rng.randint(int(hour_from * 60), int(hour_to * 60))
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), BEIJING)


def _district(rng: random.Random) -> tuple:
    return rng.choices(DISTRICTS, weights=[d[5] for d in DISTRICTS])[0]


def _month_add(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, 28))


# --- registry ----------------------------------------------------------------------------------

def _agencies(city: City, make: _Maker, count: int, inspectors: int) -> None:
    rng, today = make.rng, city.today
    names = ("浙江{p}防雷检测有限公司", "杭州{p}雷电防护技术有限公司", "{p}防雷工程检测中心",
             "浙江{p}气象科技服务有限公司")
    for n in range(count):
        from_shanghai = n == count - 1
        region = "310104" if from_shanghai else _district(rng)[0]
        grade = "A" if n < count * 2 // 3 else "B"
        key = f"AG{n + 1:02d}"
        place = rng.choice(PLACES) if not from_shanghai else "申城"
        subject = {"key": f"S-{key}", "kind": "organisation", "uscc": make.uscc(region),
                   "name": rng.choice(names).format(p=place) + ("" if n < 4 else f"（{n}）"),
                   "region_code": region, "legal_representative": make.person(),
                   "address": f"{'上海市徐汇区' if from_shanghai else '杭州市'}"
                              f"{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                   "phone": make.phone()}
        city.subjects.append(subject)
        issued = today - dt.timedelta(days=rng.randint(200, 1500))
        status = "rectifying" if n == 3 else "valid"
        city.agencies.append({
            "key": key, "subject": subject["key"], "region_code": region, "grade": grade,
            "certificate_no": f"{'沪' if from_shanghai else '浙'}雷检{grade}"
                              f"{issued.year}{n + 1:03d}",
            "issuing_province": region[:2] + "0000", "certificate_issued_on": issued,
            "certificate_valid_to": issued + dt.timedelta(days=5 * 365), "status": status,
            "rectify_by": today + dt.timedelta(days=60) if status == "rectifying" else None,
            "branches": ""})
        if from_shanghai:
            city.filings.append({"agency": key, "region_code": CITY_CODE,
                                 "filed_on": today - dt.timedelta(days=500),
                                 "valid_to": today + dt.timedelta(days=365)})
        for year in (today.year - 2, today.year - 1):
            if n == 5 and year == today.year - 1:
                continue  # one annual report missing
            city.annual_reports.append({
                "agency": key, "year": year,
                "submitted_on": dt.date(year + 1, rng.randint(4, 6), rng.randint(1, 28)),
                "spot_check": "failed" if (n == 7 and year == today.year - 2) else
                rng.choice(("", "passed", "passed")), "file_sha256": make.sha(key, year)})
        for kind, model in (("earth_resistance", "ETCR3000"), ("earth_resistance", "UT522"),
                            ("spd", "LPS-200"), ("bonding", "JCL-20"), ("insulation", "UT512"),
                            ("rangefinder", "DLE50"), ("thickness", "TT130")):
            calibrated = today - dt.timedelta(days=rng.randint(30, 330))
            city.instruments.append({
                "key": f"{key}-{kind}-{model}", "agency": key, "kind": kind, "model": model,
                "serial_no": f"{model}-{rng.randint(10000, 99999)}",
                "calibration_certificate_no": f"JZ{calibrated.year}{rng.randint(1000, 9999)}",
                "calibrated_on": calibrated, "calib_valid_to": calibrated + dt.timedelta(days=365)})
    per = inspectors // count
    for agency in city.agencies:
        uscc = next(s["uscc"] for s in city.subjects if s["key"] == agency["subject"])
        for i in range(per):
            title = ("senior", "senior", "intermediate", "intermediate", "intermediate",
                     "junior")[i % 6]
            valid_to = today + dt.timedelta(days=rng.randint(200, 1500))
            city.inspectors.append({
                "key": f"{agency['key']}-I{i + 1}", "agency": agency["key"],
                "name": make.person(), "id_no": make.resident_id(
                    rng.choice(DISTRICTS)[0] if agency["region_code"].startswith("33")
                    else "310104"),
                "title_level": title, "specialty": rng.choice(("防雷", "电气", "气象", "建筑")),
                "certificate_no": f"LJ{rng.randint(100000, 999999)}",
                "certificate_valid_to": valid_to, "insurance_employer_uscc": uscc,
                "experience_years": rng.randint(2, 20),
                "employed_from": today - dt.timedelta(days=rng.randint(800, 3000))})


def _key_units(city: City, make: _Maker, count: int) -> None:
    rng, today = make.rng, city.today
    weights = [i[5] for i in INDUSTRIES]
    for n in range(count):
        category, industry, pattern, classes, zones, _w = rng.choices(INDUSTRIES, weights)[0]
        code, district, lat0, lon0, spread, _w2 = _district(rng)
        place = rng.choice(PLACES)
        for _try in range(20):  # one registration per name in a district (duplicates are planted)
            if (code, pattern.format(p=place)) not in make.used_names:
                break
            place = rng.choice(PLACES)
        make.used_names.add((code, pattern.format(p=place)))
        person_owned = industry == "烟花爆竹" and n % 2 == 0  # 个体工商户: a household file
        key = f"KU{n + 1:03d}"
        subject = {"key": f"S-{key}", "region_code": code,
                   "name": pattern.format(p=place) + (f"{n + 1}号" if industry in (
                       "加油站", "烟花爆竹") else ""),
                   "address": f"杭州市{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                   "legal_representative": make.person(), "phone": make.phone()}
        if person_owned:
            subject.update(kind="person", id_no=make.resident_id(code), uscc="",
                           name=f"{subject['legal_representative']}（{place}烟花爆竹零售点）")
        else:
            subject.update(kind="organisation", uscc=make.uscc(code))
        city.subjects.append(subject)
        gaps = rng.random()
        city.key_units.append({
            "key": key, "subject": subject["key"], "category": category,
            "listing_basis": f"杭州市防雷安全重点单位目录（{industry}）",
            "listing_year": rng.choice((today.year - 3, today.year - 2, today.year - 1)),
            "safety_principal": "" if gaps < 0.04 else make.person(),
            "safety_principal_phone": "" if gaps < 0.10 else make.phone(),
            "responsible_department": "" if gaps < 0.06 else rng.choice(
                ("安全保卫部", "设备部", "后勤保障处", "安全环保部", "综合办公室")),
            "has_responsibility_system": rng.random() > 0.12,
            "has_emergency_plan": rng.random() > 0.15,
            "last_drill_on": today - dt.timedelta(days=rng.randint(30, 600))
            if rng.random() > 0.2 else None,
            "last_training_on": today - dt.timedelta(days=rng.randint(30, 500))
            if rng.random() > 0.25 else None})
        names = SITE_NAMES[industry]
        for s in range(rng.choice((1, 1, 2, 2, 3)) if len(names) > 1 else 1):
            lat, lon = (lat0 + rng.uniform(-spread, spread), lon0 + rng.uniform(-spread, spread))
            cls = rng.choice(classes)
            site_zones = list(zones[:rng.randint(1, len(zones))]) if zones else []
            period = 6 if site_zones else 12
            site = {"key": f"{key}-{s + 1}", "key_unit": key, "name": names[s % len(names)],
                    "address": subject["address"], "latitude": round(lat, 6),
                    "longitude": round(lon, 6), "lightning_class": cls,
                    "explosion_zones": site_zones, "occupancy": industry,
                    "inspection_period_months": period,
                    "height_m": round(rng.uniform(6, 60 if category != "flammable_explosive"
                                                  else 20), 1),
                    "design_review_ref": f"杭雷审〔{rng.randint(2010, 2022)}〕{rng.randint(1, 400)}号",
                    "acceptance_ref": f"杭雷验〔{rng.randint(2010, 2022)}〕{rng.randint(1, 400)}号",
                    "new": n % 97 == 13 and s == 0, "industry": industry}
            if n % 71 == 5:
                site["latitude"] = site["longitude"] = None  # position never captured
            city.sites.append(site)
            if site["new"]:
                continue  # listed this month, no component inventory yet
            kinds = ["earthing", "earthing", "down_conductor", "air_termination", "bonding",
                     "spd_power"]
            if category == "infrastructure":
                kinds += ["spd_power", "spd_signal", "shielding"]
            if site_zones:
                kinds += ["bonding", "spd_power"]
            for c, kind in enumerate(kinds):
                city.components.append({
                    "key": f"{site['key']}-C{c + 1}", "site": site["key"], "kind": kind,
                    "quantity": rng.randint(1, 8) if kind in ("earthing", "down_conductor") else 1,
                    "location": {"earthing": "接地测试点", "down_conductor": "引下线",
                                 "air_termination": "屋面接闪带", "bonding": "等电位连接排",
                                 "spd_power": "配电柜", "spd_signal": "弱电机房",
                                 "shielding": "机房屏蔽网"}[kind] + f" {c + 1}",
                    "model": {"spd_power": "OBO V20-C", "spd_signal": "DEHNbox"}.get(kind, "")})


# --- measurements ------------------------------------------------------------------------------

# item, unit, instrument kind, limit(class) -> (limit, kind), typical value generator
def _items(kind: str, cls: int, zones: bool) -> list[tuple[str, str, str, float, str]]:
    earth = 4.0 if zones else 10.0
    spacing = {1: 12.0, 2: 18.0, 3: 25.0}[cls]
    mesh = {1: 5.0, 2: 10.0, 3: 20.0}[cls]
    return {
        "earthing": [("earth_resistance", "Ω", "earth_resistance", earth, "max")],
        "down_conductor": [("down_conductor_spacing", "m", "rangefinder", spacing, "max"),
                           ("bonding_resistance", "Ω", "bonding", 0.2, "max")],
        "air_termination": [("mesh_size", "m", "rangefinder", mesh, "max"),
                            ("cross_section", "mm²", "thickness", 50.0, "min")],
        "bonding": [("bonding_resistance", "Ω", "bonding", 0.2, "max")],
        "shielding": [("bonding_resistance", "Ω", "bonding", 0.2, "max")],
        "spd_power": [("spd_u1ma", "V", "spd", 558.0, "min"),
                      ("spd_leakage", "μA", "spd", 20.0, "max")],
        "spd_signal": [("insulation", "MΩ", "insulation", 2.0, "min")],
    }[kind]


def _value(rng: random.Random, item: str, limit: float, fail: bool) -> float:
    if item == "earth_resistance":
        value = limit * rng.uniform(1.1, 2.5) if fail else min(
            limit * 0.95, math.exp(rng.gauss(math.log(limit * 0.35), 0.45)))
        return round(value, 2)
    if item == "bonding_resistance":
        return round(rng.uniform(0.25, 0.9) if fail else rng.uniform(0.008, 0.12), 3)
    if item in ("down_conductor_spacing", "mesh_size"):
        return round(limit * (rng.uniform(1.1, 1.4) if fail else rng.uniform(0.45, 0.95)), 1)
    if item == "cross_section":
        return round(rng.choice((28.3, 38.5)) if fail else rng.choice((50.0, 78.5, 100.0)), 1)
    if item == "spd_u1ma":
        return float(rng.randint(420, 550) if fail else rng.randint(575, 700))
    if item == "spd_leakage":
        return round(rng.uniform(25, 60) if fail else rng.uniform(1.5, 14), 1)
    if item == "insulation":
        return round(rng.uniform(0.2, 1.5) if fail else rng.uniform(50, 800), 1)
    return 0.0


# --- inspections -------------------------------------------------------------------------------

TASK_STATES_FUTURE = ("contracted", "plan_filed", "pre_reported")
FINISHED = ("uploaded", "uploaded", "uploaded", "uploaded", "uploaded", "accepted", "screened")


def _inspections(city: City, make: _Maker) -> None:
    rng, today = make.rng, city.today
    start = today - dt.timedelta(days=730)
    agencies = {a["key"]: a for a in city.agencies}
    staff: dict[str, list[dict]] = {}
    for i in city.inspectors:
        staff.setdefault(i["agency"], []).append(i)
    tools: dict[str, dict[str, list[dict]]] = {}
    for ins in city.instruments:
        tools.setdefault(ins["agency"], {}).setdefault(ins["kind"], []).append(ins)
    components: dict[str, list[dict]] = {}
    for c in city.components:
        components.setdefault(c["site"], []).append(c)
    unit_agency: dict[str, str] = {}
    grade_a = [a["key"] for a in city.agencies if a["grade"] == "A"]
    grade_b = [a["key"] for a in city.agencies if a["grade"] == "B"]
    number = 0
    for site in city.sites:
        if site["new"]:
            continue
        eligible = grade_a if site["lightning_class"] != 3 else grade_a + grade_b
        agency_key = unit_agency.setdefault(site["key_unit"], rng.choice(eligible))
        if agency_key not in eligible:
            agency_key = rng.choice(eligible)
        period = site["inspection_period_months"]
        due = start + dt.timedelta(days=rng.randint(0, period * 30))
        while due <= today + dt.timedelta(days=25):
            number += 1
            day = due + dt.timedelta(days=rng.randint(-12, 8))
            if rng.random() < 0.08:  # changed agency this time
                agency_key = rng.choice(eligible)
            task = _task(city, make, number, site, agencies[agency_key], staff[agency_key],
                         tools[agency_key], components[site["key"]], day)
            if task["status"] == "cancelled":
                due = day + dt.timedelta(days=15)  # contracted again with someone
            elif task["status"] in ("uploaded", "accepted", "screened", "cleared", "issued"):
                due = _month_add(day, period)
            else:
                break


def _task(city: City, make: _Maker, number: int, site: dict, agency: dict, staff: list[dict],
          tools: dict[str, list[dict]], comps: list[dict], day: dt.date) -> dict:
    rng, today = make.rng, city.today
    key = f"T{number:05d}"
    contracted = day - dt.timedelta(days=rng.randint(12, 30))
    task = {"key": key, "task_no": f"JCRW{day.year}{number:05d}", "agency": agency["key"],
            "site": site["key"], "kind": "periodic", "contract_no": f"HT-{agency['key']}-{number}",
            "contracted_on": contracted, "window_start": day - dt.timedelta(days=2),
            "window_end": day + dt.timedelta(days=5),
            "inspectors": [i["key"] for i in rng.sample(staff, 2)],
            "instruments": [tools[k][0]["key"] for k in ("earth_resistance", "spd", "bonding",
                                                          "rangefinder", "thickness",
                                                          "insulation")],
            "plan_filed_at": None, "pre_reported_at": None, "remote": False, "status": ""}
    city.tasks.append(task)
    # what stage the task reached by today
    if day > today:
        task["status"] = rng.choice(TASK_STATES_FUTURE)
        if task["status"] != "contracted":
            task["plan_filed_at"] = make.at(contracted + dt.timedelta(days=2))
        if task["status"] == "pre_reported":
            task["pre_reported_at"] = make.at(day - dt.timedelta(days=rng.randint(3, 8)))
        return task
    if rng.random() < 0.01:
        task["status"], task["note"] = "cancelled", "单位停业，合同终止"
        return task
    task["plan_filed_at"] = make.at(contracted + dt.timedelta(days=rng.randint(1, 4)))
    task["pre_reported_at"] = make.at(day - dt.timedelta(days=rng.randint(3, 9)))
    age = (today - day).days
    stage = ("on_site" if age == 0 else "measured" if age <= 1 else "drafted" if age <= 3
             else "signed" if age <= 5 else "issued" if age <= 9 else rng.choice(FINISHED))
    task["status"] = stage
    sessions = _sessions(city, make, task, site, day)
    _measure(city, make, task, site, comps, sessions, tools, day)
    if stage in ("on_site", "measured"):
        return task
    _report(city, make, task, site, day, stage)
    return task


def _sessions(city: City, make: _Maker, task: dict, site: dict, day: dt.date) -> list[dict]:
    rng = make.rng
    arrive = make.at(day, 8.5, 13)
    made = []
    for n, inspector in enumerate(task["inspectors"]):
        check_in = arrive + dt.timedelta(minutes=rng.randint(0, 12))
        lat, lon = site["latitude"], site["longitude"]
        fix = (offset(lat, lon, rng.uniform(5, 90), rng.uniform(0, 2 * math.pi))
               if lat is not None else (None, None))
        session = {"key": f"{task['key']}-S{n + 1}", "task": task["key"], "inspector": inspector,
                   "check_in_at": check_in,
                   "check_out_at": check_in + dt.timedelta(minutes=rng.randint(75, 260)),
                   "gnss_system": rng.choice(("beidou", "beidou", "mixed", "gps")),
                   "latitude": fix[0] and round(fix[0], 6), "longitude": fix[1] and round(fix[1], 6),
                   "accuracy_m": round(rng.uniform(2.5, 15), 1), "fix_at": check_in,
                   "qr_scanned_at": check_in + dt.timedelta(minutes=rng.randint(1, 6)),
                   "qr_site_matches": True, "identity_method": "face",
                   "identity_result": "passed", "face_match_score": round(rng.uniform(0.86, 0.99),
                                                                          3)}
        session["distance_to_site_m"] = (round(distance_m(lat, lon, *fix), 1)
                                         if lat is not None else None)
        city.sessions.append(session)
        made.append(session)
        for p in range(rng.randint(1, 3)):
            city.photos.append({"session": session["key"], "sha256": make.sha(session["key"], p),
                                "perceptual_hash": f"{rng.getrandbits(64):016x}",
                                "caption": rng.choice(("接地测试点", "配电柜SPD", "屋面接闪带",
                                                       "等电位连接", "现场全景")),
                                "exif_taken_at": check_in + dt.timedelta(minutes=10 + 15 * p),
                                "exif_latitude": session["latitude"],
                                "exif_longitude": session["longitude"]})
    return made


def _measure(city: City, make: _Maker, task: dict, site: dict, comps: list[dict],
             sessions: list[dict], tools: dict[str, list[dict]], day: dt.date) -> None:
    rng = make.rng
    failing = set()
    if rng.random() < 0.13:
        failing = {rng.randrange(len(comps))}
        if rng.random() < 0.3:
            failing.add(rng.randrange(len(comps)))
    when = sessions[0]["check_in_at"] + dt.timedelta(minutes=15)
    zones = bool(site["explosion_zones"])
    for c_index, comp in enumerate(comps):
        for item, unit, tool, limit, limit_kind in _items(comp["kind"], site["lightning_class"],
                                                          zones):
            points = 2 if item == "earth_resistance" else 1
            for p in range(points):
                fail = c_index in failing and p == 0
                value = _value(rng, item, limit, fail)
                passed = value <= limit if limit_kind == "max" else value >= limit
                when += dt.timedelta(minutes=rng.randint(2, 7))
                city.measurements.append({
                    "task": task["key"], "component": comp["key"],
                    "session": sessions[p % len(sessions)]["key"],
                    "instrument": tools[tool][0]["key"], "item": item, "unit": unit,
                    "point": f"{comp['location']}-{p + 1}", "value": value, "measured_at": when,
                    "limit": limit, "limit_kind": limit_kind, "passed": passed})


def _report(city: City, make: _Maker, task: dict, site: dict, day: dt.date, stage: str) -> None:
    rng = make.rng
    failed = [m for m in city.measurements[-40:] if m["task"] == task["key"] and not m["passed"]]
    drafted = make.at(day + dt.timedelta(days=1))
    report = {"key": f"R-{task['key']}", "task": task["key"],
              "report_no": f"ZJFL{day.year}-{task['task_no'][-5:]}", "kind": task["kind"],
              "conclusion": "fail" if failed else "pass",
              "conclusion_text": "部分项目不符合GB/T 21431-2023要求，已出具整改意见。" if failed
              else "所检项目符合GB/T 21431-2023要求。",
              "drafted_at": drafted, "signed_at": None, "issued_on": None, "uploaded_at": None,
              "signatories": [], "file_sha256": "", "screening_score": None,
              "screening_findings": [], "screened_at": None, "review_note": ""}
    city.reports.append(report)
    if stage in ("drafted",):
        return
    report["signed_at"] = drafted + dt.timedelta(hours=rng.randint(2, 30))
    report["signatories"] = list(task["inspectors"])
    if stage == "signed":
        return
    issued = report["signed_at"].date() + dt.timedelta(days=rng.randint(0, 2))
    report["issued_on"] = min(issued, city.today)
    for m in failed:
        city.hazards.append({"key": f"H-{task['key']}-{len(city.hazards)}", "site": site["key"],
                             "component": m["component"], "source": "report",
                             "report": report["key"], "measurement": m,
                             "found_at": make.at(report["issued_on"]),
                             "item": f"{m['item']} {m['point']}",
                             "severity": "major" if (m["item"] == "earth_resistance" and
                                                     site["explosion_zones"] and
                                                     rng.random() < 0.5) else "general"})
    if stage == "issued":
        return
    late = rng.random() < 0.06
    upload_day = report["issued_on"] + dt.timedelta(days=rng.randint(18, 35) if late
                                                     else rng.randint(0, 9))
    report["uploaded_at"] = make.at(min(upload_day, city.today), 9, 18)
    report["file_sha256"] = make.sha(report["report_no"])
    report["late"] = late
    if stage in ("screened", "accepted", "cleared"):
        report["screening_score"] = 0 if stage != "cleared" else 3
        report["screening_findings"] = [] if stage != "cleared" else [
            {"rule": "A10", "text": "该检测员当日检测场所数量偏多"}]
        report["screened_at"] = report["uploaded_at"] + dt.timedelta(hours=2)
        if stage == "cleared":
            report["review_note"] = "经核查原始记录，当日为同一园区内多个场所，检测属实。"


# --- hazards -----------------------------------------------------------------------------------

def _self_checks(city: City, make: _Maker, count: int) -> None:
    rng, today = make.rng, city.today
    sites = [s for s in city.sites if not s["new"]]
    for n in range(count):
        site = rng.choice(sites)
        city.hazards.append({"key": f"H-SC{n}", "site": site["key"], "component": None,
                             "source": "self_check", "report": None, "measurement": None,
                             "found_at": make.at(today - dt.timedelta(
                                 days=rng.randint(0, 1) if n < 3 else rng.randint(5, 40)
                                 if n < 12 else rng.randint(40, 500))),
                             "item": rng.choice(("配电柜SPD劣化指示窗变红", "接闪带锈蚀断裂",
                                                 "等电位连接线松脱", "引下线断接卡缺失")),
                             "severity": "general"})


def _loop(city: City, make: _Maker) -> None:
    """Carry each hazard through the loop as far as its age and chance take it."""
    rng, today = make.rng, city.today
    for h in city.hazards:
        found = h["found_at"]
        age = (today - found.date()).days
        h["hazard_no"] = f"YH{found.year}{len([x for x in city.hazards if 'hazard_no' in x]) + 1:06d}"
        h.update(status="identified", notice_kind="", notice_no="", notified_at=None,
                 deadline=None, escalated_at=None, escalation_reason="", closed_at=None)
        if age < 2:
            continue
        h["notified_at"] = found + dt.timedelta(days=1, hours=rng.randint(1, 5))
        h["notice_kind"] = "opinion" if h["source"] == "report" else "order"
        h["notice_no"] = f"杭气防整〔{found.year}〕{rng.randint(1, 999)}号"
        days = 15 if h["severity"] == "major" else 30
        h["deadline"] = h["notified_at"].date() + dt.timedelta(days=days)
        h["status"] = "notified"
        if h["severity"] == "major" and rng.random() < 0.6:
            h["escalated_at"] = h["notified_at"] + dt.timedelta(hours=2)
            h["escalation_reason"] = "重大事故隐患，立即报告并实施重点执法检查"
        t = h["notified_at"]
        fate = rng.random()
        if age < 6 or (fate < 0.05 and h["deadline"] >= today):
            continue
        if fate < 0.09 and h["deadline"] < today:
            h["status"] = "overdue" if rng.random() < 0.6 else "escalated"
            if h["status"] == "escalated":
                h["escalated_at"] = _dt(h["deadline"] + dt.timedelta(days=8))
                h["escalation_reason"] = "逾期未整改，移交执法检查"
            continue
        plan_at = t + dt.timedelta(days=rng.randint(2, 6))
        rect = {"hazard": h["key"], "round": 1, "plan": "更换劣化部件，重新敷设接地体并复测。",
                "owner": make.person(), "planned_finish": h["deadline"],
                "plan_submitted_at": plan_at, "evidence": "", "evidence_submitted_at": None,
                "verified_at": None, "result": "", "verification_note": ""}
        city.rectifications.append(rect)
        h["status"] = "plan_submitted"
        pending = h["deadline"] >= today  # still within the deadline: may be mid-way
        if age < 10 or plan_at.date() + dt.timedelta(days=2) > today or (
                pending and rng.random() < 0.25):
            continue
        h["status"] = "rectifying"
        evidence_at = plan_at + dt.timedelta(days=rng.randint(5, 20))
        if evidence_at.date() >= today or rng.random() < 0.08:
            continue
        rect.update(evidence="整改完成，附复测记录及现场照片。", evidence_submitted_at=evidence_at)
        h["status"] = "evidence_submitted"
        verify_at = evidence_at + dt.timedelta(days=rng.randint(1, 6))
        if verify_at.date() >= today or (pending and rng.random() < 0.3):
            continue
        rejected = rng.random() < 0.12
        rect.update(verified_at=verify_at, result="failed" if rejected else "passed",
                    verification_note="复测接地电阻仍超标" if rejected else "复测合格")
        if rejected:
            h["status"] = "rejected"
            resume = verify_at + dt.timedelta(days=rng.randint(1, 4))
            if resume.date() >= today or rng.random() < 0.3:
                continue
            second = dict(rect, round=2, plan_submitted_at=resume, evidence="", result="",
                          evidence_submitted_at=None, verified_at=None, verification_note="")
            city.rectifications.append(second)
            h["status"] = "rectifying"
            again = resume + dt.timedelta(days=rng.randint(4, 12))
            if again.date() >= today:
                continue
            second.update(evidence="二次整改完成。", evidence_submitted_at=again,
                          verified_at=again + dt.timedelta(days=2), result="passed",
                          verification_note="复测合格")
            verify_at = again + dt.timedelta(days=2)
            if verify_at.date() >= today:
                h["status"] = "evidence_submitted"
                second.update(verified_at=None, result="", verification_note="")
                continue
        h["status"] = "verified"
        close_at = verify_at + dt.timedelta(days=rng.randint(0, 3))
        if close_at.date() >= today or rng.random() < 0.05:
            continue
        h["status"], h["closed_at"] = "closed", close_at


SHOWCASE = (("identified", 1), ("notified", 8), ("plan_submitted", 10), ("rectifying", 14),
            ("evidence_submitted", 20), ("verified", 24), ("rejected", 24), ("closed", 30),
            ("overdue", 45), ("escalated", 50))


def _showcase(city: City, make: _Maker) -> None:
    """One self-check hazard standing at each state of the loop, whatever chance did above."""
    rng, today = make.rng, city.today
    sites = [s for s in city.sites if not s["new"]]
    for n, (state, days) in enumerate(SHOWCASE):
        found = _dt(today - dt.timedelta(days=days))
        h = {"key": f"H-SHOW{n}", "site": sites[(n * 37) % len(sites)]["key"], "component": None,
             "source": "self_check", "report": None, "measurement": None, "found_at": found,
             "item": "自查：配电柜SPD状态指示异常", "severity": "general", "status": state,
             "hazard_no": f"YH{found.year}{9000 + n:06d}", "notice_kind": "", "notice_no": "",
             "notified_at": None, "deadline": None, "escalated_at": None,
             "escalation_reason": "", "closed_at": None}
        city.hazards.append(h)
        if state == "identified":
            continue
        h.update(notified_at=found + dt.timedelta(days=1), notice_kind="order",
                 notice_no=f"杭气防整〔{found.year}〕{800 + n}号",
                 deadline=(found + dt.timedelta(days=31)).date())
        if state == "notified":
            continue
        rect = {"hazard": h["key"], "round": 1, "plan": "更换电涌保护器并复测。",
                "owner": make.person(), "planned_finish": h["deadline"],
                "plan_submitted_at": found + dt.timedelta(days=3), "evidence": "",
                "evidence_submitted_at": None, "verified_at": None, "result": "",
                "verification_note": ""}
        city.rectifications.append(rect)
        if state in ("plan_submitted", "rectifying", "overdue"):
            continue
        if state == "escalated":
            h.update(escalated_at=_dt(h["deadline"] + dt.timedelta(days=8)),
                     escalation_reason="逾期未整改，移交执法检查")
            continue
        rect.update(evidence="已更换，附照片。", evidence_submitted_at=found + dt.timedelta(days=9))
        if state == "evidence_submitted":
            continue
        failed = state == "rejected"
        rect.update(verified_at=found + dt.timedelta(days=12), result="failed" if failed
                    else "passed", verification_note="复测不合格" if failed else "复测合格")
        if state == "closed":
            h["closed_at"] = found + dt.timedelta(days=13, hours=rng.randint(0, 5))


def _dt(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), BEIJING)


# --- credit and enforcement --------------------------------------------------------------------

def _credit_and_enforcement(city: City, make: _Maker) -> None:
    rng, today = make.rng, city.today
    tasks = {t["key"]: t for t in city.tasks}
    for r in city.reports:
        if r.get("late"):
            agency = tasks[r["task"]]["agency"]
            day = r["uploaded_at"].date()
            city.credit.append({"subject": f"S-{agency}", "event": "late_upload", "delta": -1.0,
                                "occurred_on": day, "valid_to": _month_add(day, 24),
                                "source": "report", "source_ref": r["report_no"],
                                "description": "检测报告未在出具后10个工作日内上传", "published": True})
    for agency in city.agencies:
        for year in (today.year - 2, today.year - 1):
            if rng.random() < 0.5:
                city.credit.append({"subject": agency["subject"], "event": "clean_year",
                                    "delta": 5.0, "occurred_on": dt.date(year, 12, 31),
                                    "valid_to": dt.date(year + 2, 12, 31), "source": "system",
                                    "source_ref": f"{year}", "description": "年度检测质量考核无问题",
                                    "published": True})
    for n, (event, delta) in enumerate((("warning", -8.0), ("fine", -20.0),
                                        ("quality_general", -5.0), ("quality_serious", -15.0),
                                        ("annual_report", -10.0))):
        agency = city.agencies[(n * 5 + 2) % len(city.agencies)]
        day = today - dt.timedelta(days=rng.randint(30, 600))
        city.credit.append({"subject": agency["subject"], "event": event, "delta": delta,
                            "occurred_on": day, "valid_to": _month_add(day, 24),
                            "source": "case" if event in ("warning", "fine") else
                            "quality_assessment", "source_ref": f"杭气罚〔{day.year}〕{n + 3}号",
                            "description": "", "published": True,
                            "objection_status": "open" if n == 2 else ""})
    units = [k for k in city.key_units]
    for d in range(2):
        drawn = today - dt.timedelta(days=400 if d == 0 else 20)
        draw = {"key": f"D{d}", "draw_no": f"SSJ{drawn.year}-{d + 1:02d}",
                "region_code": CITY_CODE, "drawn_at": _dt(drawn),
                "method": "双随机：检查对象名录库 × 执法检查人员名录库",
                "seed": f"{rng.getrandbits(64):016x}",
                "parameters": {"targets": 10, "ratio": "3%", "categories": ["flammable_explosive",
                                                                           "crowded"]},
                "published_at": _dt(drawn + dt.timedelta(days=45)) if d == 0 else None}
        city.draws.append(draw)
        for n, unit in enumerate(rng.sample(units, 10)):
            inspected = drawn + dt.timedelta(days=rng.randint(5, 30))
            status = "published" if d == 0 else ("drawn", "assigned", "on_site", "remote",
                                                 "findings")[n % 5]
            result = rng.choice(("no_problem", "no_problem", "hazards", "violation")) \
                if status in ("published", "findings") else ""
            city.enforcement.append({
                "key": f"E{d}-{n}", "inspection_no": f"ZFJC{drawn.year}{d}{n:03d}",
                "draw": draw["key"], "region_code": CITY_CODE, "subject": unit["subject"],
                "site": next(s["key"] for s in city.sites if s["key_unit"] == unit["key"]),
                "status": status, "result": result,
                "inspected_on": inspected if status not in ("drawn", "assigned") else None,
                "findings": {"no_problem": "未发现问题", "hazards": "部分SPD劣化，已下达整改指令",
                             "violation": "未按规定开展定期检测"}.get(result, ""),
                "checklist": [{"item": "定期检测报告", "answer": "有"},
                              {"item": "防雷安全责任制", "answer": "有"}],
                "published_at": _dt(inspected + dt.timedelta(days=10))
                if status == "published" else None})
    violators = [e for e in city.enforcement if e["result"] == "violation"]
    for n, e in enumerate(violators[:4]):
        filed = (e["inspected_on"] or today) + dt.timedelta(days=5)
        status = ("filed", "investigating", "decided", "published")[n % 4]
        city.cases.append({
            "case_no": f"杭气罚立〔{filed.year}〕{n + 11}号", "region_code": CITY_CODE,
            "subject": e["subject"], "enforcement": e["key"], "violation_code": "FL-DQJC",
            "basis": "《防雷减灾管理办法》：防雷装置未按规定定期检测", "degree": "lenient",
            "circumstances": "首次违法，及时改正", "range_min": 10000, "range_max": 15000,
            "decision": "警告，并处罚款一万元" if status in ("decided", "published") else "",
            "amount": 10000 if status in ("decided", "published") else None,
            "filed_on": min(filed, today), "status": status,
            "decided_on": min(filed + dt.timedelta(days=20), today)
            if status in ("decided", "published") else None,
            "published_on": min(filed + dt.timedelta(days=30), today)
            if status == "published" else None})


# --- planted anomalies -------------------------------------------------------------------------

def _plant(city: City, make: _Maker) -> None:
    """Make a few reports suspicious and list each in the manifest with its rule."""
    rng = make.rng
    tasks = {t["key"]: t for t in city.tasks}
    sites = {s["key"]: s for s in city.sites}
    by_task: dict[str, list[dict]] = {}
    for m in city.measurements:
        by_task.setdefault(m["task"], []).append(m)
    sessions_of: dict[str, list[dict]] = {}
    for s in city.sessions:
        sessions_of.setdefault(s["task"], []).append(s)
    reports = {r["task"]: r for r in city.reports}
    done = [t for t in city.tasks if t["key"] in reports and reports[t["key"]]["issued_on"]
            and len(by_task.get(t["key"], ())) >= 8]
    rng.shuffle(done)
    pick = iter(done)

    def note(rule: str, case: str, task: dict, evidence: str, **extra) -> None:
        city.manifest.append({"case": case, "rule": rule, "task_no": task["task_no"],
                              "report_no": reports[task["key"]]["report_no"],
                              "site": task["site"], "evidence": evidence, **extra})

    # A4: one agency copies a whole measurement vector onto reports of other sites.
    for _ in range(3):
        source = next(pick)
        for target in [t for t in done if t["agency"] == source["agency"]
                       and t["site"] != source["site"] and t["key"] != source["key"]][:2]:
            src, dst = by_task[source["key"]], by_task[target["key"]]
            for a, b in zip(src, dst, strict=False):
                if a["item"] == b["item"]:
                    b["value"], b["passed"] = a["value"], a["passed"]
            note("A4", "copy_paste", target, "measurements identical to another site's report",
                 copied_from=reports[source["key"]]["report_no"])
    # A2: check-in fix kilometres from the site.
    for _ in range(5):
        task = next(pick)
        site, session = sites[task["site"]], sessions_of[task["key"]][0]
        if site["latitude"] is None:
            continue
        lat, lon = offset(site["latitude"], site["longitude"], rng.uniform(3000, 18000),
                          rng.uniform(0, 2 * math.pi))
        session.update(latitude=round(lat, 6), longitude=round(lon, 6),
                       distance_to_site_m=round(distance_m(site["latitude"], site["longitude"],
                                                           lat, lon), 1))
        note("A2", "far_fix", task, f"check-in fix {session['distance_to_site_m']:.0f} m "
             "from the site", session=session["key"])
    # A1: the same inspector at two sites 100+ km apart within the hour.
    near = [t for t in done if sites[t["site"]]["latitude"] and sites[t["site"]]["latitude"] > 30.2]
    far = [t for t in done if sites[t["site"]]["latitude"] and sites[t["site"]]["latitude"] < 29.7]
    pairs = [(a, b) for a in near for b in far if a["agency"] == b["agency"]
             and a["key"] != b["key"]]
    seen: set[str] = set()
    for a, b in pairs:
        if len(seen) >= 4 or a["key"] in seen or b["key"] in seen:
            continue
        seen |= {a["key"], b["key"]}
        first, second = sessions_of[a["key"]][0], sessions_of[b["key"]][0]
        second["inspector"] = first["inspector"]
        if first["inspector"] not in b["inspectors"]:
            b["inspectors"][0] = first["inspector"]
        second["check_in_at"] = first["check_out_at"] + dt.timedelta(minutes=35)
        second["check_out_at"] = second["check_in_at"] + dt.timedelta(minutes=90)
        second["fix_at"] = second["check_in_at"]
        note("A1", "impossible_travel", b, "same inspector 35 minutes after leaving a site "
             "over 100 km away", sessions=[first["key"], second["key"]])
    # Sessions of a few minutes for a full inspection.
    for _ in range(4):
        task = next(pick)
        for s in sessions_of[task["key"]]:
            s["check_out_at"] = s["check_in_at"] + dt.timedelta(minutes=rng.randint(4, 9))
        note("A12", "short_session", task, "on site for less than ten minutes")
    # A3: no QR scan and no identity check at a key unit.
    for _ in range(3):
        task = next(pick)
        for s in sessions_of[task["key"]]:
            s.update(qr_scanned_at=None, qr_site_matches=None, identity_method="",
                     identity_result="not_done", face_match_score=None)
        note("A3", "no_scan", task, "no site QR scan and no identity check")
    # A13: the same photo bytes at different sites.
    for _ in range(4):
        a, b = next(pick), next(pick)
        photo = next(p for p in city.photos if p["session"] == sessions_of[a["key"]][0]["key"])
        target = next(p for p in city.photos if p["session"] == sessions_of[b["key"]][0]["key"])
        target.update(sha256=photo["sha256"], perceptual_hash=photo["perceptual_hash"])
        note("A13", "photo_reuse", b, "photo identical (sha256) to one taken at another site",
             sha256=photo["sha256"])
    # A9: one inspector only.
    for _ in range(3):
        task = next(pick)
        lone = sessions_of[task["key"]][1]
        city.sessions.remove(lone)
        city.photos[:] = [p for p in city.photos if p["session"] != lone["key"]]
        for m in by_task[task["key"]]:
            m["session"] = sessions_of[task["key"]][0]["key"]
        reports[task["key"]]["signatories"] = task["inspectors"][:1]
        note("A9", "lone_inspector", task, "only one inspector on site and signing")
    # A12: report issued before its measurements.
    for _ in range(2):
        task = next(pick)
        report = reports[task["key"]]
        first = min(m["measured_at"] for m in by_task[task["key"]]).date()
        report["issued_on"] = first - dt.timedelta(days=rng.randint(2, 5))
        note("A12", "issued_before_measured", task, "issued before the measurements were taken")
    # A5: physically implausible values.
    for _ in range(2):
        task = next(pick)
        earth = next(m for m in by_task[task["key"]] if m["item"] == "earth_resistance")
        earth["value"] = rng.choice((0.0, -0.8, 1520.0))
        earth["passed"] = True
        note("A5", "implausible_value", task, f"earth resistance recorded as {earth['value']} Ω")
    # A6: every earthing point the same value.
    for _ in range(2):
        task = next(pick)
        for m in by_task[task["key"]]:
            if m["item"] == "earth_resistance":
                m["value"], m["passed"] = 4.0, True
            elif m["item"] == "bonding_resistance":
                m["value"], m["passed"] = 0.05, True
        note("A6", "uniform_values", task, "all earthing and bonding points identical")
    # A8: two inspectors whose certificates lapsed keep working and signing.
    lapsed = rng.sample(city.inspectors, 2)
    for inspector in lapsed:
        inspector["certificate_valid_to"] = city.today - dt.timedelta(days=150)
        for task in city.tasks:
            if inspector["key"] in task["inspectors"] and task["key"] in reports:
                report = reports[task["key"]]
                if report["signed_at"] and report["signed_at"].date() > inspector[
                        "certificate_valid_to"]:
                    note("A8", "lapsed_certificate", task, f"{inspector['name']} signed with a "
                         "capability certificate that had lapsed", inspector=inspector["key"])
    # A7: an instrument out of calibration still in use.
    for instrument in rng.sample([i for i in city.instruments
                                  if i["kind"] == "earth_resistance" and i["key"].endswith(
                                      "ETCR3000")], 2):
        instrument["calib_valid_to"] = city.today - dt.timedelta(days=60)
        instrument["calibrated_on"] = instrument["calib_valid_to"] - dt.timedelta(days=365)
        for key, ms in by_task.items():
            if key in reports and reports[key]["issued_on"] and any(
                    m["instrument"] == instrument["key"] and m["measured_at"].date() >
                    instrument["calib_valid_to"] for m in ms):
                note("A7", "expired_calibration", tasks[key], f"{instrument['serial_no']} used "
                     "after its calibration expired", instrument=instrument["key"])
    # A11: grade B agency on class 2 structures.
    grade_b = next(a["key"] for a in city.agencies if a["grade"] == "B")
    b_staff = [i["key"] for i in city.inspectors if i["agency"] == grade_b]
    b_tools = {i["kind"]: i["key"] for i in city.instruments if i["agency"] == grade_b}
    tool_kind = {i["key"]: i["kind"] for i in city.instruments}
    b_sessions = iter(b_staff)
    for task in [t for t in done if sites[t["site"]]["lightning_class"] == 2
                 and not any(e["task_no"] == t["task_no"] for e in city.manifest)][:2]:
        task["agency"], task["inspectors"] = grade_b, b_staff[:2]
        task["instruments"] = [b_tools[tool_kind[k]] for k in task["instruments"]]
        for s in sessions_of[task["key"]]:
            s["inspector"] = next(b_sessions)
        for m in by_task[task["key"]]:
            m["instrument"] = b_tools[tool_kind[m["instrument"]]]
        reports[task["key"]]["signatories"] = b_staff[:2]
        note("A11", "grade_b_on_class_2", task, "a grade B agency inspected a class 2 structure")
    # Credit codes failing their check (kept in review) and one organisation registered twice.
    for subject in [s for s in city.subjects if s["kind"] == "organisation"
                    and s["key"].startswith("S-KU")][7:10]:
        code = subject["uscc"]
        wrong = USCC_CHARS[(USCC_CHARS.index(code[-1]) + 1) % 31]
        subject["uscc"] = code[:-1] + wrong
        subject["planted"] = "uscc_check"
    original = next(s for s in city.subjects if s["key"].startswith("S-KU")
                    and s["kind"] == "organisation" and "planted" not in s)
    body = "93" + original["uscc"][2:17]
    twin = dict(original, key="S-TWIN", uscc=body + uscc_check_char(body),
                name=original["name"] + "（重复登记）", planted="duplicate")
    city.subjects.append(twin)
    # A unit slip: bonding resistance typed in mΩ.
    slip = next(m for m in by_task[next(pick)["key"]] if m["item"] == "bonding_resistance")
    slip.update(unit="mΩ", value=round(slip["value"] * 1000, 1))
    # Review outcomes of some planted reports (screening itself is a later model).
    outcomes = {"copy_paste": ("confirmed_false", "review"), "far_fix": ("flagged",),
                "short_session": ("cleared",)}
    for case, states in outcomes.items():
        entries = [e for e in city.manifest if e["case"] == case]
        for entry, state in zip(entries, states, strict=False):
            task = next(t for t in city.tasks if t["task_no"] == entry["task_no"])
            report = reports[task["key"]]
            task["status"] = state
            report.update(screening_score=6 if state != "cleared" else 3,
                          screening_findings=[{"rule": entry["rule"], "text": entry["evidence"]}],
                          screened_at=report["uploaded_at"] or _dt(report["issued_on"]))
            if state in ("cleared", "confirmed_false"):
                report["review_note"] = ("复核确认数据复制，报告失实" if state == "confirmed_false"
                                         else "复核后确认属实")
            if state == "confirmed_false":
                day = city.today - dt.timedelta(days=10)
                city.credit.append({"subject": f"S-{task['agency']}", "event": "fake_report",
                                    "delta": -30.0, "occurred_on": day,
                                    "valid_to": _month_add(day, 24), "source": "report",
                                    "source_ref": report["report_no"],
                                    "description": report["review_note"], "published": True})


def generate(today: dt.date, seed: int = DEFAULT_SEED, key_units: int = 300,
             agencies: int = 12, inspectors: int = 60, self_checks: int = 30) -> City:
    """The whole city as of ``today`` (a Beijing date)."""
    rng = random.Random(seed)
    make = _Maker(rng)
    city = City(today=today, seed=seed)
    _agencies(city, make, agencies, inspectors)
    _key_units(city, make, key_units)
    _inspections(city, make)
    _plant(city, make)
    _self_checks(city, make, self_checks)
    _loop(city, make)
    _showcase(city, make)
    _credit_and_enforcement(city, make)
    return city
