"""The demo observing network: about 2,000 stations over China with CMA-style identifiers.

Stations are drawn from a seed over the province boxes of :mod:`.provinces`, denser in the east
than in the west as real networks are. About a third are "national" stations with 5-digit ids in
the WMO block of their region (50xxx the far north-east ... 59xxx the south, following the real
pattern: 54511 is Beijing, 59287 Guangzhou) and a WIGOS id; the rest are regional automatic
stations with a letter-and-four-digit id (``A1001``). Heights come from :mod:`.terrain`, a little
below the surrounding surface because stations stand in valleys and towns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qixiang.science.simulate import provinces, terrain

DEFAULT_SEED = 20261121
DEFAULT_SIZE = 2000
NATIONAL_SHARE = 0.35

# What each kind of station measures: national stations the full set; regional automatic
# stations the usual six elements (no barometer, no visibility sensor).
NATIONAL_ELEMENTS = ("TEM", "DPT", "RHU", "PRS", "PRS_Sea", "WIN_D_Avg_2mi", "WIN_S_Avg_2mi",
                     "WIN_S_Inst_Max", "PRE_1h", "VIS")
REGIONAL_ELEMENTS = ("TEM", "RHU", "WIN_D_Avg_2mi", "WIN_S_Avg_2mi", "WIN_S_Inst_Max", "PRE_1h")


@dataclass(frozen=True, eq=False)
class Network:
    """Parallel arrays, one entry per station, sorted by ``cma_id``."""

    seed: int
    cma_id: np.ndarray  # str
    wmo_index: np.ndarray  # str, "" for regional stations
    wigos_id: np.ndarray  # str
    name: np.ndarray  # str
    province: np.ndarray  # int index into provinces.PROVINCES
    national: np.ndarray  # bool
    lat: np.ndarray  # degrees north
    lon: np.ndarray  # degrees east
    elevation: np.ndarray  # m above sea level

    @property
    def size(self) -> int:
        return len(self.cma_id)

    @property
    def division_code(self) -> np.ndarray:
        """GB/T 2260 code of each station's province."""
        codes = np.array([p.code for p in provinces.PROVINCES])
        return codes[self.province]

    def elements(self, index: int) -> tuple[str, ...]:
        """The elements station ``index`` measures."""
        return NATIONAL_ELEMENTS if self.national[index] else REGIONAL_ELEMENTS

    def records(self) -> list[dict]:
        """One plain dict per station, in the field names of the station registry."""
        codes = self.division_code
        return [
            {
                "cma_id": str(self.cma_id[i]),
                "wmo_index": str(self.wmo_index[i]),
                "wigos_id": str(self.wigos_id[i]),
                "name": str(self.name[i]),
                "province": provinces.PROVINCES[self.province[i]].name,
                "division_code": str(codes[i]),
                "latitude": float(self.lat[i]),
                "longitude": float(self.lon[i]),
                "elevation": float(self.elevation[i]),
                "national": bool(self.national[i]),
            }
            for i in range(self.size)
        ]


def wmo_block(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The first two digits (50-59) of a Chinese WMO index for stations at (lon, lat)."""
    conditions = [
        (lat >= 46.0) & (lon >= 115.0),  # 50: Heilongjiang, Hulunbuir
        (lon < 93.0) & (lat >= 36.5),  # 51: Xinjiang
        (lon < 92.0),  # 55: Tibet
        (lon < 104.0) & (lat >= 34.0),  # 52: Qinghai, Gansu
        (lon < 114.0) & (lat >= 36.0),  # 53: Inner Mongolia, Ningxia, Shanxi
        (lon >= 114.0) & (lat >= 34.5),  # 54: North China, the North-east, Shandong
        (lon < 105.0),  # 56: Sichuan, Yunnan, eastern Tibet
        (lat < 24.5),  # 59: Guangdong, Guangxi, Hainan
        (lon < 114.5),  # 57: Shaanxi, Henan, Hubei, Hunan, Guizhou, Chongqing
    ]
    return np.select(conditions, [50, 51, 55, 52, 53, 54, 56, 59, 57], default=58)


def _draw_positions(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    lon0, lon1, lat0, lat1 = provinces.bounds()
    lons: list[np.ndarray] = []
    lats: list[np.ndarray] = []
    count = 0
    while count < size:
        lon = rng.uniform(lon0, lon1, 4 * size)
        lat = rng.uniform(lat0, lat1, 4 * size)
        # Sparse in the west and the far north, dense in the east and south, as real networks.
        east = 1.0 / (1.0 + np.exp(-(lon - 104.0) / 2.5))
        south = 1.0 / (1.0 + np.exp(-(42.0 - lat) / 2.0))
        density = (0.15 + 0.85 * east) * (0.15 + 0.85 * south)
        keep = (provinces.locate(lon, lat) >= 0) & (rng.random(lon.size) < density)
        lons.append(lon[keep])
        lats.append(lat[keep])
        count += int(keep.sum())
    return np.concatenate(lons)[:size], np.concatenate(lats)[:size]


def _national_ids(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Unique 5-digit ids: block by region, then numbered north to south within the block."""
    blocks = wmo_block(lon, lat)
    ids = np.empty(lon.size, dtype=object)
    for block in np.unique(blocks):
        members = np.flatnonzero(blocks == block)
        order = members[np.lexsort((lon[members], -lat[members]))]
        numbers = 1 + (np.arange(order.size) * 998) // max(order.size, 1)
        for index, number in zip(order, numbers, strict=True):
            ids[index] = f"{block}{number:03d}"
    return ids


def _regional_ids(province: np.ndarray, lat: np.ndarray) -> np.ndarray:
    ids = np.empty(province.size, dtype=object)
    for index in np.unique(province):
        spec = provinces.PROVINCES[index]
        members = np.flatnonzero(province == index)
        for k, station in enumerate(members[np.argsort(-lat[members], kind="stable")]):
            ids[station] = f"{spec.letter}{spec.series * 1000 + k + 1:04d}"
    return ids


def generate(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED,
             national_share: float = NATIONAL_SHARE) -> Network:
    """The demo network of ``size`` stations; the same ``seed`` always gives the same network."""
    rng = np.random.default_rng(seed)
    lon, lat = _draw_positions(rng, size)
    lon, lat = np.round(lon, 4), np.round(lat, 4)
    province = provinces.locate(lon, lat)
    surface = terrain.elevation(lon, lat)
    valley = rng.uniform(0.0, 0.08, size) * np.clip(surface, 0.0, None) + np.abs(
        rng.normal(0.0, 10.0, size))
    # Below sea level only where the surface is (Turpan); elsewhere at least 1 m.
    elevation = np.where(surface > 1.0, np.maximum(surface - valley, 1.0), surface)
    elevation = np.round(np.clip(elevation, terrain.LOWEST, terrain.HIGHEST), 1)
    national = rng.random(size) < national_share

    cma_id = np.empty(size, dtype=object)
    cma_id[national] = _national_ids(lon[national], lat[national])
    cma_id[~national] = _regional_ids(province[~national], lat[~national])
    wmo_index = np.where(national, cma_id, "")
    wigos_id = np.where(national, "0-20000-0-" + cma_id.astype(str), "0-156-0-" + cma_id.astype(str))
    shorts = np.array([p.short for p in provinces.PROVINCES], dtype=object)
    name = shorts[province] + "演示站" + cma_id.astype(str)

    order = np.argsort(cma_id.astype(str), kind="stable")
    return Network(
        seed=seed,
        cma_id=cma_id.astype(str)[order],
        wmo_index=wmo_index.astype(str)[order],
        wigos_id=wigos_id.astype(str)[order],
        name=name.astype(str)[order],
        province=province[order],
        national=national[order],
        lat=lat[order],
        lon=lon[order],
        elevation=elevation[order],
    )
