"""The fields a MUSIC request may name in ``elements``, with their Chinese names and units.

Station and time fields come from the registry and the observation time; every element of
:mod:`qixiang.science.elements` is a field in its canonical unit, and ``Q_<element>`` is its CMA
quality-control code (0 correct, 1 suspect, 2 wrong, 3 corrected, 4 modified, 7 no observation
task, 8 missing, 9 not checked), as 天擎 clients expect beside each element. Field names are
matched case-insensitively (clients send ``lat``, ``Station_ID_C``) and answered in the spelling
below. Times are UTC, as in 天擎.
"""

from __future__ import annotations

from dataclasses import dataclass

from qixiang.science import elements as vocabulary

# Missing-value codes of 天擎 data: no value where one was expected, and no observation task.
MISSING = "999999"
NOT_OBSERVED = "999998"

UNIT_NAMES = {"degC": "摄氏度(℃)", "hPa": "百帕", "%": "百分率", "mm": "毫米", "m/s": "米/秒",
              "degree": "度", "m": "米", "cm": "厘米", "code": "-"}
DECIMALS = {"degC": 1, "hPa": 1, "%": 0, "mm": 1, "m/s": 1, "degree": 0, "m": 0, "cm": 0,
            "code": 0}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str  # Chinese name, as in fieldNames
    unit: str  # Chinese unit, as in fieldUnits ("-" for none)
    kind: str  # "station", "time", "value" or "flag"
    numeric: bool
    element: str = ""  # the element code of a value or flag field
    decimals: int = 0


STATION_FIELDS = (
    Field("Station_Id_C", "区站号(字符)", "-", "station", False),
    Field("Station_Id_d", "区站号(数字)", "-", "station", True),
    Field("Station_Name", "站名", "-", "station", False),
    Field("Province", "省份", "-", "station", False),
    Field("Admin_Code_CHN", "行政区代码", "-", "station", False),
    Field("Lat", "纬度", "度", "station", True, decimals=4),
    Field("Lon", "经度", "度", "station", True, decimals=4),
    Field("Alti", "测站高度", "米", "station", True, decimals=1),
)
TIME_FIELDS = (
    Field("Datetime", "资料时间", "-", "time", False),
    Field("Year", "年", "-", "time", True),
    Field("Mon", "月", "-", "time", True),
    Field("Day", "日", "-", "time", True),
    Field("Hour", "时", "-", "time", True),
    Field("Min", "分", "-", "time", True),
)


def _element_fields() -> tuple[Field, ...]:
    out = []
    for e in vocabulary.ELEMENTS:
        out.append(Field(e.code, e.label_zh, UNIT_NAMES.get(e.unit, e.unit), "value", True,
                         e.code, DECIMALS.get(e.unit, 1)))
        out.append(Field(f"Q_{e.code}", f"{e.label_zh}质量控制码", "-", "flag", True, e.code))
    return tuple(out)


FIELDS: tuple[Field, ...] = STATION_FIELDS + TIME_FIELDS + _element_fields()
BY_NAME: dict[str, Field] = {f.name.lower(): f for f in FIELDS}


def find(name: str) -> Field | None:
    """The field called ``name`` in any letter case, or None."""
    return BY_NAME.get(name.strip().lower())
