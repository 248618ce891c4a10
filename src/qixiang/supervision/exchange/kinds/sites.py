"""Sites of key units: where the lightning protection is, its class and inspection period.

A pushed site gets its local site code (``subject code-NNN``) the first time; later versions
of the same exchange id update that site. A site never moves to another key unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qixiang.supervision import models as m
from qixiang.supervision.exchange import refs
from qixiang.supervision.exchange.interface import ExchangeError, Kind

FIELDS = ("name", "address", "latitude", "longitude", "datum", "height_m", "lightning_class",
          "explosion_zones", "occupancy", "inspection_period_months", "design_review_ref",
          "acceptance_ref", "retired_on")


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_unit: str = Field(description="supervision code or credit code of the key unit's subject")
    name: str = Field(min_length=1, max_length=200)
    address: str = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    datum: Literal["CGCS2000", "WGS84"] = "CGCS2000"
    height_m: float | None = Field(None, ge=0, le=1000)
    lightning_class: Literal[1, 2, 3]
    explosion_zones: list[Literal[m.EXPLOSION_ZONES]] = []  # type: ignore[valid-type]
    occupancy: str = Field("", max_length=200)
    inspection_period_months: Literal[6, 12] = 12
    design_review_ref: str = Field("", max_length=100)
    acceptance_ref: str = Field("", max_length=100)
    retired_on: dt.date | None = None


def apply(partner: m.Partner, exchange_id: str, data: dict, existing: m.Site | None):
    subject = refs.subject(data["key_unit"], "key_unit")
    refs.covered(partner, subject.region_code, "key_unit")
    unit = m.KeyUnit.objects.filter(subject=subject).first()
    if unit is None:
        raise ExchangeError("key_unit", f"{subject.subject_code} is not a key unit; push it as "
                                        "a key unit first")
    if existing is not None and existing.key_unit_id != unit.pk:
        raise ExchangeError("key_unit", "a site cannot move to another key unit")
    site = existing or m.Site(key_unit=unit)
    refs.assign(site, data, FIELDS)
    refs.clean(site, exclude=("key_unit", "subject", "seq", "site_code"))
    site.save()
    return site, existing is None


def serialise(s: m.Site) -> dict:
    data = {"site_code": s.site_code, "key_unit": s.subject.subject_code,
            "next_due": refs.date_text(s.next_due)}
    for name in FIELDS:
        value = getattr(s, name)
        data[name] = refs.date_text(value) if isinstance(value, dt.date) else value
    return data


KIND = Kind("sites", m.Site, exchange_id=lambda s: s.site_code, serialise=serialise,
            region_of=lambda s: s.subject.region_code, schema=SiteIn, apply=apply,
            select_related=("subject",))
