"""Credit records (信用记录) of subjects: published events and their score changes.

Only published records leave the platform (one under objection is not yet a fact to share);
records a partner pushes are its published decisions, kept with the source "shared by a
partner platform".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import QuerySet
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qixiang.supervision import models as m
from qixiang.supervision.exchange import refs
from qixiang.supervision.exchange.interface import Kind

FIELDS = ("event", "delta", "occurred_on", "valid_to", "description")


class CreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(description="supervision code or credit code")
    event: Literal[tuple(m.CreditEvent.values)]  # type: ignore[valid-type]
    delta: float = Field(ge=-100, le=100, description="score change")
    occurred_on: dt.date
    valid_to: dt.date
    description: str = Field("", max_length=2000)
    source_ref: str = Field("", max_length=100, description="the partner's decision number")

    @model_validator(mode="after")
    def valid_after_occurred(self) -> CreditIn:
        if self.valid_to < self.occurred_on:
            raise ValueError("valid_to is before occurred_on")
        return self


def apply(partner: m.Partner, exchange_id: str, data: dict, existing: m.CreditRecord | None):
    subject = refs.subject(data["subject"])
    refs.covered(partner, subject.region_code, "subject")
    record = existing or m.CreditRecord(source=m.CreditSource.PARTNER, published=True)
    record.subject = subject
    refs.assign(record, data, FIELDS)
    record.source_ref = data["source_ref"] or f"{partner.name}:{exchange_id}"[:100]
    refs.clean(record, exclude=("subject",))
    record.save()
    return record, existing is None


def serialise(c: m.CreditRecord) -> dict:
    return {"subject": c.subject.subject_code, "event": c.event, "delta": c.delta,
            "occurred_on": refs.date_text(c.occurred_on), "valid_to": refs.date_text(c.valid_to),
            "description": c.description, "source": c.source, "source_ref": c.source_ref,
            "objection_status": c.objection_status, "repair_status": c.repair_status,
            "counts": c.counts}


def published(queryset: QuerySet) -> QuerySet:
    return queryset.filter(published=True)


KIND = Kind("credit_records", m.CreditRecord, exchange_id=lambda c: f"CR{c.pk}",
            serialise=serialise, region_of=lambda c: c.subject.region_code, schema=CreditIn,
            apply=apply, shared=published, select_related=("subject",))
