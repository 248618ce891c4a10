"""Enforcement results (执法检查结果): published inspections of the 双随机、一公开 kind.

Only published inspections leave the platform (a random draw announced early is no longer
random). A partner pushes its own published results, which are kept as published enforcement
inspections numbered ``X<partner>-<its id>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from qixiang.supervision import models as m
from qixiang.supervision.exchange import refs
from qixiang.supervision.exchange.interface import ExchangeError, Kind


class EnforcementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(description="supervision code or credit code of the inspected subject")
    site: str = Field("", max_length=40, description="site code, when one site was inspected")
    region_code: str = Field("", pattern=r"^(\d{6})?$",
                             description="inspecting bureau's division; default the subject's")
    inspected_on: dt.date
    result: Literal[tuple(m.EnforcementResult.values)]  # type: ignore[valid-type]
    findings: str = Field("", max_length=5000)
    checklist: list[dict] = []
    published_at: dt.datetime | None = None


def apply(partner: m.Partner, exchange_id: str, data: dict,
          existing: m.EnforcementInspection | None):
    subject = refs.subject(data["subject"])
    refs.covered(partner, subject.region_code, "subject")
    region = data["region_code"] or subject.region_code
    refs.covered(partner, region)
    site = None
    if data["site"]:
        site = m.Site.objects.filter(site_code=data["site"], subject=subject).first()
        if site is None:
            raise ExchangeError("site", f"{data['site']} is not a site of {subject.subject_code}")
    now = timezone.now()
    inspection = existing or m.EnforcementInspection(
        inspection_no=f"X{partner.pk}-{exchange_id}"[:40], status=m.EnforcementStatus.PUBLISHED,
        status_changed_at=now)
    inspection.subject, inspection.site, inspection.region_code = subject, site, region
    refs.assign(inspection, data, ("inspected_on", "result", "findings", "checklist"))
    inspection.published_at = data["published_at"] or inspection.published_at or now
    refs.clean(inspection, exclude=("subject", "site", "draw"))
    inspection.save()
    return inspection, existing is None


def serialise(e: m.EnforcementInspection) -> dict:
    return {"inspection_no": e.inspection_no, "subject": e.subject.subject_code,
            "site": e.site.site_code if e.site_id else "", "region_code": e.region_code,
            "inspected_on": refs.date_text(e.inspected_on), "result": e.result,
            "findings": e.findings, "checklist": e.checklist,
            "published_at": e.published_at.isoformat() if e.published_at else None,
            "random_draw": e.draw.draw_no if e.draw_id else ""}


def published(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status=m.EnforcementStatus.PUBLISHED)


KIND = Kind("enforcement_results", m.EnforcementInspection,
            exchange_id=lambda e: e.inspection_no, serialise=serialise,
            region_of=lambda e: e.subject.region_code, schema=EnforcementIn, apply=apply,
            shared=published, select_related=("subject", "site", "draw"))
