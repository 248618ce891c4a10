"""The QC configuration in force: the checks' defaults, the platform's, and the site file.

``QIXIANG_QC_CONFIG`` names a site TOML file merged over ``science/qc/qc.toml`` (see
:func:`qixiang.science.qc.config.load`) and over this app's ``platform.toml`` (cadence, neighbour
and history settings of the stage). Without a climatology (or records) table in either file, the
table ``qixiang qc climatology --from-archive`` writes under the var folder is used when it
exists. The merged result is cached and re-read when the site file or a table changes.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from qixiang.science import qc
from qixiang.science.qc import config as qc_config

PLATFORM_PATH = Path(__file__).with_name("platform.toml")
PLATFORM_SECTIONS = ("cadence", "neighbours", "history")


def tables_dir() -> Path:
    """Where computed limit tables are written: ``<var>/qc``."""
    return Path(settings.VAR_DIR) / "qc"


def climatology_path() -> Path:
    return tables_dir() / "climatology.csv"


def records_path() -> Path:
    return tables_dir() / "records.csv"


@dataclass(frozen=True)
class StageConfig:
    """The checks' configuration and the stage's own settings."""

    checks: qc.Config
    platform: dict[str, Any]

    def minute_params(self, element: str, check: str) -> dict[str, Any]:
        """Overrides of ``check``'s parameters for ``element`` at a minute station."""
        section = self.platform.get("cadence", {}).get("minute", {}).get(check, {})
        params = {k: v for k, v in section.items() if not isinstance(v, dict)}
        params.update(section.get(element, {}))
        return params

    @property
    def outlier_bits(self) -> int:
        names = self.platform.get("history", {}).get("outlier_checks", [])
        return sum(qc.bit(name) for name in names)

    def setting(self, section: str, key: str, default: Any) -> Any:
        return self.platform.get(section, {}).get(key, default)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _mtime(path: Path | None) -> int:
    try:
        return os.stat(path).st_mtime_ns if path else 0
    except OSError:
        return 0


def site_path() -> Path | None:
    configured = getattr(settings, "QIXIANG_QC_CONFIG", "")
    return Path(configured) if configured else None


def current() -> StageConfig:
    """The configuration in force (cached until a file it reads changes)."""
    site = site_path()
    return _load(str(site) if site else "", _mtime(site), _mtime(climatology_path()),
                 _mtime(records_path()))


@cache
def _load(site: str, _site_mtime: int, _clim_mtime: int, _records_mtime: int) -> StageConfig:
    checks = qc_config.load(site or None)  # raises ConfigError naming the file and key
    data = dict(checks.data)
    for check, path in (("climatology", climatology_path()), ("extremes", records_path())):
        section = dict(data.get(check, {}))
        if not section.get("table") and path.is_file():
            section["table"] = str(path)
            data[check] = section
    with PLATFORM_PATH.open("rb") as f:
        platform = tomllib.load(f)
    site_data = data
    platform = _merge(platform, {k: site_data[k] for k in PLATFORM_SECTIONS if k in site_data})
    return StageConfig(qc.Config(data), platform)
