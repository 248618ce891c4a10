"""The element vocabulary: CMA element codes and what they mean everywhere else.

CMA element codes (``TEM``, ``PRE_1h``, ``WIN_S_Avg_2mi`` ...) are qixiang's canonical names. This
one table maps each to its BUFR descriptor (and ecCodes key), the CF standard name, the canonical
unit values are stored in, and Chinese and English labels. Decoders convert to the canonical unit
with :func:`to_canonical`; pages, exports and APIs read labels and units from here.

``period`` qualifies descriptors that BUFR reuses for several periods (precipitation over 1/3/6/
12/24 h, wind averaged over 2 or 10 minutes): it is the length of the period in minutes.
``valid_range`` is the sensor/format range in the canonical unit (a value outside it cannot be an
observation); QC reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from qixiang.science import units


@dataclass(frozen=True, slots=True)
class Element:
    code: str  # CMA element code, e.g. "TEM"
    bufr: str  # BUFR descriptor FXXYYY, e.g. "012101"
    eccodes_key: str  # ecCodes key of that descriptor, e.g. "airTemperature"
    cf_standard_name: str | None
    unit: str  # canonical unit, as stored and served
    label_zh: str
    label_en: str
    valid_range: tuple[float, float]
    period: int | None = None  # minutes, for accumulations and averages
    cell_method: str | None = None  # CF cell_methods over time, e.g. "maximum"

    def label(self, language: str = "zh-hans") -> str:
        return self.label_en if language.startswith("en") else self.label_zh


ELEMENTS: tuple[Element, ...] = (
    Element("TEM", "012101", "airTemperature", "air_temperature", "degC",
            "气温", "Air temperature", (-80.0, 60.0)),
    Element("TEM_Max", "012111", "maximumTemperatureAtHeightAndOverPeriodSpecified",
            "air_temperature", "degC", "最高气温", "Maximum temperature", (-80.0, 60.0),
            cell_method="maximum"),
    Element("TEM_Min", "012112", "minimumTemperatureAtHeightAndOverPeriodSpecified",
            "air_temperature", "degC", "最低气温", "Minimum temperature", (-80.0, 60.0),
            cell_method="minimum"),
    Element("DPT", "012103", "dewpointTemperature", "dew_point_temperature", "degC",
            "露点温度", "Dew-point temperature", (-90.0, 45.0)),
    Element("RHU", "013003", "relativeHumidity", "relative_humidity", "%",
            "相对湿度", "Relative humidity", (0.0, 100.0)),
    Element("PRS", "010004", "nonCoordinatePressure", "surface_air_pressure", "hPa",
            "本站气压", "Station pressure", (400.0, 1100.0)),
    Element("PRS_Sea", "010051", "pressureReducedToMeanSeaLevel",
            "air_pressure_at_mean_sea_level", "hPa", "海平面气压", "Mean sea-level pressure",
            (850.0, 1090.0)),
    Element("PRE_1h", "013011", "totalPrecipitationOrTotalWaterEquivalent",
            "precipitation_amount", "mm", "1小时降水量", "Precipitation, 1 h", (0.0, 300.0),
            period=60, cell_method="sum"),
    Element("PRE_3h", "013011", "totalPrecipitationOrTotalWaterEquivalent",
            "precipitation_amount", "mm", "3小时降水量", "Precipitation, 3 h", (0.0, 500.0),
            period=180, cell_method="sum"),
    Element("PRE_6h", "013011", "totalPrecipitationOrTotalWaterEquivalent",
            "precipitation_amount", "mm", "6小时降水量", "Precipitation, 6 h", (0.0, 700.0),
            period=360, cell_method="sum"),
    Element("PRE_12h", "013011", "totalPrecipitationOrTotalWaterEquivalent",
            "precipitation_amount", "mm", "12小时降水量", "Precipitation, 12 h", (0.0, 900.0),
            period=720, cell_method="sum"),
    Element("PRE_24h", "013011", "totalPrecipitationOrTotalWaterEquivalent",
            "precipitation_amount", "mm", "24小时降水量", "Precipitation, 24 h", (0.0, 1200.0),
            period=1440, cell_method="sum"),
    Element("WIN_D_Avg_2mi", "011001", "windDirection", "wind_from_direction", "degree",
            "2分钟平均风向", "Wind direction, 2-min mean", (0.0, 360.0), period=2,
            cell_method="mean"),
    Element("WIN_S_Avg_2mi", "011002", "windSpeed", "wind_speed", "m/s",
            "2分钟平均风速", "Wind speed, 2-min mean", (0.0, 75.0), period=2, cell_method="mean"),
    Element("WIN_D_Avg_10mi", "011001", "windDirection", "wind_from_direction", "degree",
            "10分钟平均风向", "Wind direction, 10-min mean", (0.0, 360.0), period=10,
            cell_method="mean"),
    Element("WIN_S_Avg_10mi", "011002", "windSpeed", "wind_speed", "m/s",
            "10分钟平均风速", "Wind speed, 10-min mean", (0.0, 75.0), period=10,
            cell_method="mean"),
    Element("WIN_S_Inst_Max", "011041", "maximumWindGustSpeed", "wind_speed_of_gust", "m/s",
            "极大风速", "Maximum gust speed", (0.0, 120.0), cell_method="maximum"),
    Element("VIS", "020001", "horizontalVisibility", "visibility_in_air", "m",
            "水平能见度", "Horizontal visibility", (0.0, 100000.0)),
    Element("CLO_Cov", "020010", "cloudCoverTotal", "cloud_area_fraction", "%",
            "总云量", "Total cloud cover", (0.0, 100.0)),
    Element("WEP_Now", "020003", "presentWeather", None, "code",
            "现在天气现象编码", "Present weather (WMO code)", (0.0, 511.0)),
    Element("Snow_Depth", "013013", "totalSnowDepth", "surface_snow_thickness", "cm",
            "积雪深度", "Snow depth", (0.0, 1000.0)),
)

BY_CODE: dict[str, Element] = {e.code: e for e in ELEMENTS}


class UnknownElement(KeyError):
    """An element code that is not in the vocabulary."""


def get(code: str) -> Element:
    """The element for a CMA code; raises :class:`UnknownElement` naming the code."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise UnknownElement(f"unknown element code {code!r}") from None


def to_canonical(code: str, value: float, unit: str) -> float:
    """``value`` given in ``unit`` converted to the canonical unit of element ``code``."""
    return units.convert(value, unit, get(code).unit)
