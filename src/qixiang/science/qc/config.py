"""QC parameters per check and element, from ``qc.toml`` beside this module and a site file.

A bureau tunes QC without touching code: :func:`load` reads the packaged ``qc.toml`` (every
parameter documented there) and merges a site file over it, table by table and key by key.
``[<check>]`` holds a check's defaults, ``[<check>.<ELEMENT>]`` one element's overrides and
``[elements]`` which checks run for each element, in order. A ``table`` path (climatology,
extremes) is relative to the file that names it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("qc.toml")


class ConfigError(ValueError):
    """A QC configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    data: dict[str, Any]

    def checks(self, element: str) -> list[str]:
        """The checks that run for ``element``, in order."""
        lists = self.data.get("elements", {})
        return list(lists.get(element, lists.get("default", [])))

    def params(self, element: str, check: str) -> dict[str, Any]:
        """``check``'s parameters for ``element``: the defaults with the element's overrides."""
        section = self.data.get(check, {})
        params = {k: v for k, v in section.items() if not isinstance(v, dict)}
        params.update(section.get(element, {}))
        return params


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read QC configuration: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    for name, section in data.items():
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: top-level key {name!r} must be a table")
        for key, value in list(section.items()):
            if key == "table" and value:
                section[key] = str((path.parent / value).resolve())
            elif isinstance(value, dict) and value.get("table"):
                value["table"] = str((path.parent / value["table"]).resolve())
    return data


def _validate(data: dict[str, Any], source: str) -> None:
    from qixiang.science import qc

    known = set(qc.names())
    for element, checks in data.get("elements", {}).items():
        if not isinstance(checks, list):
            raise ConfigError(f"{source}: [elements] {element} must be a list of check names")
        for name in checks:
            if name not in known:
                raise ConfigError(f"{source}: [elements] {element} names unknown check {name!r}; "
                                  f"known: {', '.join(sorted(known))}")


def load(path: str | Path | None = None) -> Config:
    """The packaged defaults, with the site file at ``path`` (if any) merged over them."""
    data = _read(DEFAULT_PATH)
    source = str(DEFAULT_PATH)
    if path is not None:
        data = _merge(data, _read(Path(path)))
        source = str(path)
    _validate(data, source)
    return Config(data)


@cache
def default() -> Config:
    """The packaged defaults, read once."""
    return load()
