"""The 31 mainland provinces as rough lon/lat boxes, for placing and labelling demo stations.

No boundary data is shipped (a map of China needs an approved map), so each province is one to
four rectangles drawn inside its real outline from a few well-known places (capitals, coasts,
borders). Together they stand in for "China's land area": a point inside no box is not land.
Where boxes overlap, the province whose boxes cover the smaller total area wins, so Beijing and
Tianjin are carved out of Hebei and Shanghai out of Jiangsu. Good enough to put a station in the
right province for a demo; never use it for anything administrative.

``letter`` and ``series`` make CMA-style regional station ids (``A1234``): the real scheme also
starts with a letter per province, but this table does not claim to reproduce the official one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[float, float, float, float]  # lon_min, lon_max, lat_min, lat_max (degrees)


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # GB/T 2260 division code of the province, e.g. "110000"
    name: str  # official Chinese name, e.g. "北京市"
    short: str  # short Chinese name, e.g. "北京"
    name_en: str
    boxes: tuple[Box, ...]
    letter: str  # first character of regional station ids
    series: int  # first digit of regional station ids (1 or 5)

    @property
    def area(self) -> float:
        """Total box area in square degrees (overlaps resolve to the smaller province)."""
        return sum((b[1] - b[0]) * (b[3] - b[2]) for b in self.boxes)


def _provinces() -> tuple[Province, ...]:
    rows: list[tuple[str, str, str, str, tuple[Box, ...]]] = [
        ("110000", "北京市", "北京", "Beijing", ((115.5, 117.4, 39.5, 41.0),)),
        ("120000", "天津市", "天津", "Tianjin", ((116.9, 117.6, 38.6, 40.2),)),
        ("130000", "河北省", "河北", "Hebei", ((113.6, 117.8, 36.1, 42.6), (117.8, 119.6, 39.3, 42.6))),
        ("140000", "山西省", "山西", "Shanxi", ((110.3, 114.5, 34.6, 40.7),)),
        ("150000", "内蒙古自治区", "内蒙古", "Inner Mongolia",
         ((97.2, 106.5, 37.6, 42.5), (106.5, 111.0, 37.6, 40.0), (106.5, 113.5, 40.0, 45.0),
          (113.5, 120.0, 41.8, 46.0), (115.5, 122.5, 46.0, 53.0), (120.0, 123.0, 43.0, 46.0))),
        ("210000", "辽宁省", "辽宁", "Liaoning",
         ((119.5, 124.5, 41.0, 43.0), (123.0, 125.0, 40.2, 41.0), (121.3, 123.0, 39.0, 40.2),
          (119.5, 121.0, 40.3, 41.0))),
        ("220000", "吉林省", "吉林", "Jilin", ((123.5, 130.5, 41.8, 45.5),)),
        ("230000", "黑龙江省", "黑龙江", "Heilongjiang",
         ((124.0, 134.5, 45.5, 48.0), (121.5, 127.5, 48.0, 53.3), (127.5, 130.5, 48.0, 49.0))),
        ("310000", "上海市", "上海", "Shanghai", ((121.0, 121.9, 30.7, 31.8),)),
        ("320000", "江苏省", "江苏", "Jiangsu",
         ((117.0, 119.5, 33.6, 34.9), (118.4, 120.8, 31.2, 34.0), (118.3, 121.0, 31.0, 32.3))),
        ("330000", "浙江省", "浙江", "Zhejiang", ((118.0, 121.0, 27.2, 30.8), (121.0, 121.8, 28.5, 30.3))),
        ("340000", "安徽省", "安徽", "Anhui", ((115.6, 117.8, 32.0, 34.6), (115.6, 118.9, 29.4, 32.0))),
        ("350000", "福建省", "福建", "Fujian", ((116.0, 119.5, 25.3, 28.3), (115.8, 118.3, 23.6, 25.3))),
        ("360000", "江西省", "江西", "Jiangxi", ((113.6, 118.4, 24.5, 30.0),)),
        ("370000", "山东省", "山东", "Shandong", ((114.8, 119.0, 34.4, 38.2), (119.0, 122.4, 36.2, 37.7))),
        ("410000", "河南省", "河南", "Henan", ((110.4, 116.6, 32.3, 36.3),)),
        ("420000", "湖北省", "湖北", "Hubei", ((108.4, 116.1, 29.1, 33.2),)),
        ("430000", "湖南省", "湖南", "Hunan", ((108.8, 114.2, 24.6, 29.5),)),
        ("440000", "广东省", "广东", "Guangdong",
         ((111.0, 116.0, 22.3, 25.5), (116.0, 117.2, 23.3, 24.8), (109.7, 111.5, 20.3, 22.3))),
        ("450000", "广西壮族自治区", "广西", "Guangxi", ((104.5, 111.5, 22.0, 26.3), (107.5, 110.0, 21.5, 22.0))),
        ("460000", "海南省", "海南", "Hainan", ((108.7, 111.0, 18.2, 20.1),)),
        ("500000", "重庆市", "重庆", "Chongqing", ((105.3, 110.1, 28.2, 32.2),)),
        ("510000", "四川省", "四川", "Sichuan", ((97.4, 108.5, 26.1, 34.3),)),
        ("520000", "贵州省", "贵州", "Guizhou", ((103.6, 109.5, 24.6, 29.2),)),
        ("530000", "云南省", "云南", "Yunnan", ((97.6, 106.1, 21.2, 29.2),)),
        ("540000", "西藏自治区", "西藏", "Xizang (Tibet)",
         ((78.4, 85.0, 30.3, 35.5), (85.0, 92.0, 28.5, 35.5), (92.0, 99.0, 29.0, 33.5))),
        ("610000", "陕西省", "陕西", "Shaanxi", ((107.5, 111.2, 35.0, 39.5), (105.5, 111.0, 31.7, 35.0))),
        ("620000", "甘肃省", "甘肃", "Gansu",
         ((92.5, 100.0, 38.5, 42.7), (100.0, 104.0, 36.5, 39.5), (102.5, 108.7, 34.0, 37.5),
          (104.0, 106.0, 32.6, 34.0))),
        ("630000", "青海省", "青海", "Qinghai", ((89.4, 103.0, 31.6, 39.2),)),
        ("640000", "宁夏回族自治区", "宁夏", "Ningxia", ((104.3, 107.6, 35.3, 39.3),)),
        ("650000", "新疆维吾尔自治区", "新疆", "Xinjiang",
         ((73.5, 80.0, 36.5, 41.0), (80.0, 93.0, 36.5, 45.0), (82.0, 91.0, 45.0, 49.0),
          (93.0, 96.0, 40.0, 45.0))),
    ]
    provinces = []
    for i, (code, name, short, name_en, boxes) in enumerate(rows):
        letter = chr(ord("A") + i % 26)
        provinces.append(Province(code, name, short, name_en, boxes, letter, 1 if i < 26 else 5))
    return tuple(provinces)


PROVINCES: tuple[Province, ...] = _provinces()
BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}


def locate(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index into :data:`PROVINCES` of the province at each point, -1 where no box covers it."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    found = np.full(lon.shape, -1, dtype=int)
    best_area = np.full(lon.shape, np.inf)
    for index, province in enumerate(PROVINCES):
        inside = np.zeros(lon.shape, dtype=bool)
        for lon0, lon1, lat0, lat1 in province.boxes:
            inside |= (lon >= lon0) & (lon < lon1) & (lat >= lat0) & (lat < lat1)
        better = inside & (province.area < best_area)
        found[better] = index
        best_area[better] = province.area
    return found


def bounds() -> Box:
    """The box around all provinces: where candidate station positions are drawn."""
    boxes = [b for p in PROVINCES for b in p.boxes]
    return (min(b[0] for b in boxes), max(b[1] for b in boxes),
            min(b[2] for b in boxes), max(b[3] for b in boxes))
