"""A synthetic elevation surface of China for the demo network, from smooth steps and bumps.

China's relief is a three-step staircase (三级阶梯): the Qinghai-Tibet plateau above 4,000 m in
the west, a second step of plateaus and basins at 1,000-2,000 m (Inner Mongolia, Loess, Yunnan-
Guizhou, Tarim), and hills and plains below 500 m in the east. This module builds that from
logistic steps, with the few features a forecaster would miss (Sichuan and Guanzhong basins, the
Qaidam, the Turpan depression below sea level, the Khingan and Changbai ranges, the river deltas) as Gaussian
bumps, and rolling hills from two sine waves. It is not a DEM: it only has to give each demo
station a plausible height so lapse rate and pressure behave.
"""

from __future__ import annotations

import numpy as np

LOWEST = -155.0  # m, Turpan depression
HIGHEST = 5200.0  # m


def _rise(x: np.ndarray, width: float) -> np.ndarray:
    """A smooth step from 0 to 1 around ``x = 0`` over about ``4 * width``."""
    return 1.0 / (1.0 + np.exp(-np.clip(x / width, -60.0, 60.0)))


def _bump(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float, rlon: float,
          rlat: float) -> np.ndarray:
    return np.exp(-(((lon - lon0) / rlon) ** 2) - ((lat - lat0) / rlat) ** 2)


def elevation(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Terrain height in metres above sea level at each (lon, lat) in degrees."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)

    # Second step: west of a line near 111-113.5 E, plus the Mongolian plateau north of 41.5 N.
    edge = 111.0 + 2.5 * _rise(lat - 34.0, 1.0)
    second = _rise(edge - lon, 1.0)
    south_lowland = (1.0 - _rise(lat - 24.0, 0.6)) * _rise(lon - 105.5, 0.8)  # Guangxi
    second = second * (1.0 - south_lowland)
    mongolia = _rise(lat - 41.5, 0.6) * _rise(119.5 - lon, 1.0)
    z = 5.0 + 1100.0 * np.maximum(second, mongolia)
    z -= 600.0 * _rise(lat - 44.3, 0.5) * _rise(90.0 - lon, 1.0)  # Junggar basin

    # First step: the Qinghai-Tibet plateau, lower towards its eastern edge; the Qaidam north of it.
    plateau = (_rise(lat - 28.3, 0.5) * _rise(36.8 - lat, 0.6) * _rise(lon - 78.0, 0.8)
               * _rise(102.0 - lon, 0.9))
    plateau_top = 4700.0 - 60.0 * np.clip(lon - 88.0, 0.0, None)
    z = z * (1.0 - plateau) + plateau_top * plateau
    qaidam = _rise(lat - 36.3, 0.4) * _rise(39.0 - lat, 0.5) * _rise(lon - 90.0, 1.0) * _rise(
        102.0 - lon, 1.0)
    z = z * (1.0 - qaidam) + 2900.0 * qaidam

    # Basins and ranges.
    z -= 800.0 * _bump(lon, lat, 105.6, 30.2, 1.4, 1.3)  # Sichuan basin
    z -= 700.0 * _bump(lon, lat, 108.9, 34.4, 1.3, 0.4)  # Guanzhong (Xi'an)
    z += 600.0 * _bump(lon, lat, 102.5, 25.5, 2.5, 2.0)  # Yunnan plateau
    z += 600.0 * np.exp(-(((lon - 121.5) / 1.2) ** 2)) * _rise(lat - 45.5, 0.8)  # Greater Khingan
    z += 600.0 * _bump(lon, lat, 128.0, 42.0, 1.2, 1.0)  # Changbai

    # Rolling hills, flattened over the North China and Northeast plains.
    plains = (_bump(lon, lat, 117.0, 36.5, 2.5, 3.5) + _bump(lon, lat, 125.0, 45.5, 1.8, 2.0)
              + _bump(lon, lat, 120.5, 31.5, 1.5, 1.2) + _bump(lon, lat, 113.3, 22.8, 0.8, 0.6))
    amplitude = (250.0 + 250.0 * np.maximum(second, plateau)) * (1.0 - np.clip(plains, 0.0, 0.9))
    z += amplitude * 0.5 * (1.0 + np.sin(1.9 * lon + 0.7) * np.sin(2.3 * lat + 1.3))

    turpan = _bump(lon, lat, 89.3, 42.8, 0.35, 0.25)
    z -= (z - LOWEST) * turpan
    return np.clip(z, LOWEST, HIGHEST)
