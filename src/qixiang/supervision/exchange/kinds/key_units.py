"""Key units (重点单位): a subject's listing and its safety management, one per subject.

The risk code is computed here and shared outward; a partner cannot push it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qixiang.supervision import models as m
from qixiang.supervision.exchange import refs
from qixiang.supervision.exchange.interface import Kind

FIELDS = ("category", "listing_basis", "listing_year", "delisted_on", "safety_principal",
          "safety_principal_phone", "responsible_department", "has_responsibility_system",
          "has_emergency_plan", "last_drill_on", "last_training_on")


class KeyUnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(description="supervision code or credit code of a subject pushed before")
    category: Literal[tuple(m.KeyUnitCategory.values)]  # type: ignore[valid-type]
    listing_basis: str = Field("", max_length=300)
    listing_year: int | None = Field(None, ge=1990, le=2100)
    delisted_on: dt.date | None = None
    safety_principal: str = Field("", max_length=100)
    safety_principal_phone: str = Field("", max_length=40)
    responsible_department: str = Field("", max_length=200)
    has_responsibility_system: bool = False
    has_emergency_plan: bool = False
    last_drill_on: dt.date | None = None
    last_training_on: dt.date | None = None


def apply(partner: m.Partner, exchange_id: str, data: dict, existing: m.KeyUnit | None):
    subject = refs.subject(data["subject"])
    refs.covered(partner, subject.region_code, "subject")
    unit = existing or m.KeyUnit.objects.filter(subject=subject).first()
    created = unit is None
    if created:
        unit = m.KeyUnit(subject=subject)
    elif unit.subject_id != subject.pk:
        raise refs.ExchangeError("subject", "a key unit cannot move to another subject")
    refs.assign(unit, data, FIELDS)
    refs.clean(unit, exclude=("subject",))
    unit.save()
    return unit, created


def serialise(u: m.KeyUnit) -> dict:
    data = {"subject": u.subject.subject_code, "name": u.subject.name,
            "region_code": u.subject.region_code, "risk_code": u.risk_code}
    for name in FIELDS:
        value = getattr(u, name)
        data[name] = refs.date_text(value) if isinstance(value, dt.date) else value
    return data


KIND = Kind("key_units", m.KeyUnit, exchange_id=lambda u: u.subject.subject_code,
            serialise=serialise, region_of=lambda u: u.subject.region_code, schema=KeyUnitIn,
            apply=apply, select_related=("subject",))
