"""Recording a hazard where it is found: in a report, an inspection, or the unit's self-check.

Who may record which source follows the roles: an agency records what its own report found, a
regulator what an inspection (an enforcement inspection, or reading a report) found, a key unit
what its self-check found at its own sites. The hazard starts "identified" and follows the loop
of :mod:`qixiang.supervision.workflows.hazard`; a major hazard is escalated at once (spec §4.1),
the same rule the sweep applies to hazards recorded elsewhere.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qixiang.supervision import audit, scoping, uploads
from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from qixiang.supervision.numbers import next_number
from qixiang.supervision.sweep import escalate_major

SOURCES_BY_KIND = {
    scoping.AGENCY: (m.HazardSource.REPORT,),
    scoping.KEY_UNIT: (m.HazardSource.SELF_CHECK,),
    scoping.REGULATOR: (m.HazardSource.ENFORCEMENT, m.HazardSource.REPORT),
    scoping.ADMIN: tuple(m.HazardSource.values),
}


def sources_for(user) -> tuple[str, ...]:
    return SOURCES_BY_KIND.get(scoping.actor_kind(user), ())


class FindingError(ValueError):
    """A hazard that cannot be recorded as given; the message names the field."""


def attach(hazard: m.Hazard, stage: str, files: list[uploads.Received], user) -> list:
    """Keep files given at a step of the loop, each by its sha256."""
    kept = []
    for received in files:
        attachment = m.HazardAttachment(hazard=hazard, stage=stage, name=received.name[:200],
                                        sha256=received.sha256, uploaded_by=user)
        uploads.store(attachment, "file", received)
        attachment.save()
        kept.append(attachment)
    return kept


def record_hazard(user, *, source: str, item: str, site: m.Site | None = None,
                  report: m.InspectionReport | None = None,
                  enforcement: m.EnforcementInspection | None = None,
                  component: m.LPSComponent | None = None, description: str = "",
                  severity: str = m.Severity.GENERAL,
                  files: list[uploads.Received] = ()) -> m.Hazard:
    """Record a found hazard for ``user``; PermissionDenied when their role may not."""
    if source not in sources_for(user):
        raise PermissionDenied(_("You may not record a hazard from this source."))
    if source == m.HazardSource.REPORT:
        if report is None:
            raise FindingError(_("inspection report: choose the report that found it"))
        scoping.require(user, report)
        site = report.task.site
    if enforcement is not None:
        scoping.require(user, enforcement)
    if site is None:
        raise FindingError(_("site: choose the site"))
    scoping.require(user, site)
    if component is not None and component.site_id != site.pk:
        raise FindingError(_("component: not one of the site's components"))
    if not item.strip():
        raise FindingError(_("item: say what is wrong"))
    if severity not in m.Severity.values:
        raise FindingError(_("severity: general or major"))
    with transaction.atomic():
        hazard = m.Hazard.objects.create(
            hazard_no=next_number(m.Hazard, "hazard_no", "YH"), site=site, component=component,
            source=source, report=report if source == m.HazardSource.REPORT else None,
            enforcement=enforcement, item=item.strip()[:200], description=description,
            severity=severity, found_at=timezone.now(), found_by=user)
        attach(hazard, m.AttachmentStage.FOUND, list(files), user)
        audit.record("hazard.found", hazard, user, {
            "source": source, "severity": severity, "report": report.pk if report else None,
            "files": [f.sha256 for f in files]})
    news.hazard_found(hazard, user)
    if severity == m.Severity.MAJOR:
        escalate_major(hazard)
    return hazard
