"""Province-level divisions of GB/T 2260 (administrative division codes of the PRC).

Station lists name provinces in several ways (``北京``, ``北京市``, ``内蒙古``, ``内蒙古自治区``, or the
code ``110000``). The registry stores the full name and the six-digit code, so a station's region
can be scoped and filtered however the source spelled it. Only the 34 province-level entries are
here: they have been stable since 1997 (Chongqing), and county codes cannot be derived from the
names that station lists carry.
"""

from __future__ import annotations

# (code, full name, short name)
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("110000", "北京市", "北京"),
    ("120000", "天津市", "天津"),
    ("130000", "河北省", "河北"),
    ("140000", "山西省", "山西"),
    ("150000", "内蒙古自治区", "内蒙古"),
    ("210000", "辽宁省", "辽宁"),
    ("220000", "吉林省", "吉林"),
    ("230000", "黑龙江省", "黑龙江"),
    ("310000", "上海市", "上海"),
    ("320000", "江苏省", "江苏"),
    ("330000", "浙江省", "浙江"),
    ("340000", "安徽省", "安徽"),
    ("350000", "福建省", "福建"),
    ("360000", "江西省", "江西"),
    ("370000", "山东省", "山东"),
    ("410000", "河南省", "河南"),
    ("420000", "湖北省", "湖北"),
    ("430000", "湖南省", "湖南"),
    ("440000", "广东省", "广东"),
    ("450000", "广西壮族自治区", "广西"),
    ("460000", "海南省", "海南"),
    ("500000", "重庆市", "重庆"),
    ("510000", "四川省", "四川"),
    ("520000", "贵州省", "贵州"),
    ("530000", "云南省", "云南"),
    ("540000", "西藏自治区", "西藏"),
    ("610000", "陕西省", "陕西"),
    ("620000", "甘肃省", "甘肃"),
    ("630000", "青海省", "青海"),
    ("640000", "宁夏回族自治区", "宁夏"),
    ("650000", "新疆维吾尔自治区", "新疆"),
    ("710000", "台湾省", "台湾"),
    ("810000", "香港特别行政区", "香港"),
    ("820000", "澳门特别行政区", "澳门"),
)

_LOOKUP: dict[str, tuple[str, str]] = {}
for _code, _full, _short in PROVINCES:
    for _key in (_code, _code[:2], _full, _short):
        _LOOKUP[_key] = (_full, _code)


def province(text: str) -> tuple[str, str] | None:
    """``(full name, six-digit code)`` for a province name, short name or code, else None.

    A county or city code (``110105``) gives its province.
    """
    text = text.strip()
    if text.isdigit() and len(text) == 6:
        text = text[:2]
    return _LOOKUP.get(text)

