"""Every record of one subject as events in time order: the file of 一企一档 / 一户一档.

:func:`events` gathers, for a subject and a viewer, what the module holds about the subject in
any role: its registry entry, its key unit's sites and components, the inspections of its sites
(tasks, field sessions, reports with their measurements summed up), hazards and each step of
their loop, credit records, records shared with partner platforms, enforcement inspections and
penalty cases, data quality issues and, for regulators, the audit trail. When the subject is an
inspection agency it also holds its qualification, staff, instruments, annual reports, filings
and the inspections it performed. Each kind of record is read through
:mod:`qixiang.supervision.scoping`, so a viewer sees exactly the part of the file their role
allows; ID numbers are shown through :func:`qixiang.supervision.privacy.shown_id_number` (the
mask unless a purpose allows more, and then the read is logged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import models as m
from qixiang.supervision import privacy, scoping

# Kinds of events, in the order the filter shows them.
KINDS: dict[str, object] = {
    "registry": gettext_lazy("registry"),
    "site": gettext_lazy("sites and components"),
    "inspection": gettext_lazy("inspections"),
    "session": gettext_lazy("field sessions"),
    "report": gettext_lazy("inspection reports"),
    "hazard": gettext_lazy("hazards and their steps"),
    "credit": gettext_lazy("credit records"),
    "exchange": gettext_lazy("shared records"),
    "enforcement": gettext_lazy("enforcement"),
    "quality": gettext_lazy("data quality issues"),
    "staff": gettext_lazy("staff and instruments"),
    "audit": gettext_lazy("audit trail"),
}


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime  # aware
    kind: str
    title: str
    ref: str = ""
    detail: str = ""
    status: str = ""
    url: str | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _at(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    """Dates become Beijing midnight, so dated and timed records sort together."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time()))


class File:
    """One subject's file as ``viewer`` may see it; ``purpose`` may unmask ID numbers."""

    def __init__(self, subject: m.Subject, viewer, purpose: str = "") -> None:
        self.subject, self.viewer, self.purpose = subject, viewer, purpose
        self.key_unit = _role(subject, "key_unit")
        self.agency = _role(subject, "agency")

    def id_number(self, obj) -> str:
        return privacy.shown_id_number(obj, self.viewer, self.purpose or None)

    def facts(self) -> list[tuple[str, str]]:
        """The subject's identity and roles as (label, value) rows."""
        s = self.subject
        rows = [(_("unified supervision code"), s.subject_code), (_("name"), s.name),
                (_("kind"), s.get_kind_display()), (_("region (GB/T 2260)"), s.region_code)]
        if s.uscc:
            rows.append((_("unified social credit code"),
                         f"{s.uscc} ({s.get_uscc_check_display()})"))
        if s.id_no_masked:
            rows.append((_("ID number"), self.id_number(s)))
        rows += [(_("legal representative"), s.legal_representative or "—"),
                 (_("address"), s.address or "—")]
        if self.key_unit is not None:
            ku = self.key_unit
            rows.append((_("key unit"), f"{ku.get_category_display()}"
                         + (f" · {_('risk code')}: {ku.get_risk_code_display()}" if ku.risk_code
                            else "")))
        if self.agency is not None:
            ag = self.agency
            rows.append((_("inspection agency"),
                         f"{ag.get_grade_display()} · {ag.certificate_no} · {_('valid to')} "
                         f"{ag.certificate_valid_to} · {ag.get_status_display()}"))
        return rows

    def scoped(self, model, queryset):
        return scoping.visible(self.viewer, model, queryset)

    def events(self, kinds: Iterable[str] | None = None, newest_first: bool = True) -> list[Event]:
        """Events of the chosen kinds (all by default), newest first unless told otherwise."""
        wanted = [k for k in (kinds or KINDS) if k in KINDS]
        found: list[Event] = []
        for kind in wanted:
            found.extend(e for e in GATHERERS[kind](self) if e.at is not None)
        found.sort(key=lambda e: (e.at, e.kind, e.ref), reverse=newest_first)
        return found


def _role(subject: m.Subject, relation: str):
    """The subject's key unit or agency row, or None."""
    try:
        return getattr(subject, relation)
    except ObjectDoesNotExist:
        return None


def registry(f: File) -> Iterator[Event]:
    s = f.subject
    detail = [s.get_kind_display(), _("region %(code)s") % {"code": s.region_code}]
    if s.uscc:
        detail.append(_("credit code %(code)s (%(check)s)")
                      % {"code": s.uscc, "check": s.get_uscc_check_display()})
    if s.id_no_masked:
        detail.append(_("ID number %(no)s") % {"no": f.id_number(s)})
    yield Event(s.created_at, "registry", _("registered: %(name)s") % {"name": s.name},
                s.subject_code, "; ".join(detail))
    if f.key_unit is not None and scoping.can_see(f.viewer, f.key_unit):
        ku = f.key_unit
        yield Event(ku.created_at, "registry", _("listed as a key unit (%(category)s)")
                    % {"category": ku.get_category_display()}, s.subject_code,
                    _("listing year %(year)s; %(basis)s")
                    % {"year": ku.listing_year or "—", "basis": ku.listing_basis or "—"},
                    ku.get_risk_code_display() if ku.risk_code else "")
        if ku.delisted_on:
            yield Event(_at(ku.delisted_on), "registry", _("delisted"), s.subject_code)
    if f.agency is not None and scoping.can_see(f.viewer, f.agency):
        ag = f.agency
        yield Event(_at(ag.certificate_issued_on) or ag.created_at, "registry",
                    _("qualification %(grade)s, certificate %(no)s")
                    % {"grade": ag.get_grade_display(), "no": ag.certificate_no},
                    ag.certificate_no, _("valid to %(day)s") % {"day": ag.certificate_valid_to},
                    ag.get_status_display())


def sites(f: File) -> Iterator[Event]:
    qs = f.scoped(m.Site, m.Site.objects.filter(subject=f.subject))
    for site in qs.annotate(n_components=Count("components", distinct=True)):
        yield Event(site.created_at, "site", _("site: %(name)s") % {"name": site.name},
                    site.site_code,
                    _("%(cls)s; period %(months)d months; next due %(due)s; %(n)d components")
                    % {"cls": site.get_lightning_class_display(),
                       "months": site.inspection_period_months, "due": site.next_due or "—",
                       "n": site.n_components}, url=_url("supervision:site", site.pk))
        if site.retired_on:
            yield Event(_at(site.retired_on), "site", _("site retired"), site.site_code)
    components = f.scoped(m.LPSComponent, m.LPSComponent.objects.filter(
        site__subject=f.subject).select_related("site"))
    for c in components:
        yield Event(c.created_at, "site", _("component: %(kind)s") % {"kind": c.get_kind_display()},
                    c.site.site_code, " · ".join(x for x in (c.model, c.location,
                                                              f"×{c.quantity}") if x))


def _tasks(f: File):
    own = Q(subject=f.subject)
    if f.agency is not None:
        own |= Q(agency=f.agency)
    return f.scoped(m.InspectionTask, m.InspectionTask.objects.filter(own)).select_related(
        "agency__subject", "site")


def inspections(f: File) -> Iterator[Event]:
    for t in _tasks(f):
        detail = _("%(agency)s at %(site)s") % {"agency": t.agency, "site": t.site.name}
        url = _url("supervision:task", t.pk)
        yield Event(_at(t.contracted_on) or t.created_at, "inspection",
                    _("inspection contracted (%(kind)s)") % {"kind": t.get_kind_display()},
                    t.task_no, detail, t.get_status_display(), url)
        if t.plan_filed_at:
            yield Event(t.plan_filed_at, "inspection", _("plan filed"), t.task_no,
                        _("window %(start)s – %(end)s") % {"start": t.window_start,
                                                          "end": t.window_end}, url=url)
        if t.pre_reported_at:
            yield Event(t.pre_reported_at, "inspection", _("pre-reported to the bureau"),
                        t.task_no, url=url)


def sessions(f: File) -> Iterator[Event]:
    tasks = _tasks(f).values("pk")
    qs = f.scoped(m.FieldSession, m.FieldSession.objects.filter(task__in=tasks)).select_related(
        "task", "inspector").annotate(n_photos=Count("photos", distinct=True))
    for s in qs:
        fix = (_("%(system)s fix ±%(acc)s m, %(dist)s m from the site")
               % {"system": s.get_gnss_system_display() or "—",
                  "acc": _num(s.accuracy_m), "dist": _num(s.distance_to_site_m)})
        qr = _("QR scanned") if s.qr_scanned_at else _("no QR scan")
        minutes = (f"{(s.check_out_at - s.check_in_at).total_seconds() / 60:.0f} min"
                   if s.check_out_at else _("not checked out"))
        yield Event(s.check_in_at, "session", _("%(name)s on site") % {"name": s.inspector.name},
                    s.task.task_no,
                    "; ".join((minutes, fix, qr, _("identity %(result)s")
                               % {"result": s.get_identity_result_display()},
                               _("%(n)d photos") % {"n": s.n_photos})))


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def reports(f: File) -> Iterator[Event]:
    tasks = _tasks(f).values("pk")
    qs = (f.scoped(m.InspectionReport, m.InspectionReport.objects.filter(task__in=tasks))
          .select_related("task__site", "task__agency__subject")
          .annotate(n=Count("task__measurements", distinct=True),
                    failed=Count("task__measurements", distinct=True,
                                 filter=Q(task__measurements__passed=False))))
    for r in qs:
        detail = (_("%(site)s by %(agency)s; %(n)d measurements, %(failed)d failed")
                  % {"site": r.task.site.name, "agency": r.task.agency, "n": r.n,
                     "failed": r.failed})
        if r.screening_score is not None:
            detail += "; " + _("screening score %(score)d") % {"score": r.screening_score}
        conclusion = r.get_conclusion_display() if r.conclusion else ""
        if r.issued_on:
            yield Event(_at(r.issued_on), "report", _("report issued"), r.report_no, detail,
                        conclusion, _url("supervision:task", r.task_id))
        elif r.drafted_at:
            yield Event(r.drafted_at, "report", _("report drafted"), r.report_no, detail,
                        conclusion)
        if r.uploaded_at:
            late = r.uploaded_late
            yield Event(r.uploaded_at, "report", _("report uploaded"), r.report_no,
                        _("due %(day)s") % {"day": r.upload_due or "—"},
                        _("late") if late else "")


def hazards(f: File) -> Iterator[Event]:
    qs = f.scoped(m.Hazard, m.Hazard.objects.filter(subject=f.subject)).select_related("site")
    rounds: dict[int, list[m.Rectification]] = {}
    for r in m.Rectification.objects.filter(hazard__in=qs.values("pk")):
        rounds.setdefault(r.hazard_id, []).append(r)
    for h in qs:
        url = _url("supervision:hazard", h.pk)
        yield Event(h.found_at, "hazard", _("hazard found: %(item)s") % {"item": h.item},
                    h.hazard_no, f"{h.get_source_display()}; {h.get_severity_display()}; "
                    f"{h.site.name}", h.get_status_display(), url)
        if h.notified_at:
            yield Event(h.notified_at, "hazard", _("notified (%(kind)s)")
                        % {"kind": h.get_notice_kind_display() or "—"}, h.hazard_no,
                        _("deadline %(day)s") % {"day": h.deadline or "—"}, url=url)
        for r in rounds.get(h.pk, []):
            if r.plan_submitted_at:
                yield Event(r.plan_submitted_at, "hazard", _("rectification plan, round %(n)d")
                            % {"n": r.round}, h.hazard_no, r.plan[:200], url=url)
            if r.evidence_submitted_at:
                yield Event(r.evidence_submitted_at, "hazard", _("evidence submitted, round %(n)d")
                            % {"n": r.round}, h.hazard_no, r.evidence[:200], url=url)
            if r.verified_at:
                yield Event(r.verified_at, "hazard", _("verification, round %(n)d")
                            % {"n": r.round}, h.hazard_no, r.verification_note[:200],
                            r.get_result_display(), url)
        if h.escalated_at:
            yield Event(h.escalated_at, "hazard", _("escalated"), h.hazard_no,
                        h.escalation_reason[:200], url=url)
        if h.closed_at:
            yield Event(h.closed_at, "hazard", _("closed (cleared)"), h.hazard_no, url=url)


def credit(f: File) -> Iterator[Event]:
    for c in f.scoped(m.CreditRecord, m.CreditRecord.objects.filter(subject=f.subject)):
        status = " ".join(x for x in (c.get_objection_status_display() if c.objection_status
                                      else "", c.get_repair_status_display() if c.repair_status
                                      else "") if x)
        yield Event(_at(c.occurred_on), "credit", f"{c.get_event_display()} {c.delta:+g}",
                    c.source_ref, _("%(source)s; counts until %(day)s; %(text)s")
                    % {"source": c.get_source_display(), "day": c.valid_to,
                       "text": c.description[:200]}, status)
    for r in f.scoped(m.CreditRating, m.CreditRating.objects.filter(subject=f.subject)):
        yield Event(_at(r.rated_on), "credit", _("credit grade %(grade)s (%(score).1f)")
                    % {"grade": r.grade, "score": r.score}, "", r.get_method_display())


def exchange(f: File) -> Iterator[Event]:
    qs = f.scoped(m.ExchangeRecord, m.ExchangeRecord.objects.filter(subject=f.subject))
    for x in qs.select_related("partner"):
        yield Event(x.exchanged_at, "exchange", _("%(direction)s %(kind)s: %(partner)s")
                    % {"direction": x.get_direction_display(), "kind": x.record_type,
                       "partner": x.partner}, x.exchange_id, x.error[:200],
                    x.get_status_display())


def enforcement(f: File) -> Iterator[Event]:
    for e in f.scoped(m.EnforcementInspection,
                      m.EnforcementInspection.objects.filter(subject=f.subject)):
        yield Event(_at(e.inspected_on) or e.created_at, "enforcement",
                    _("enforcement inspection") + (f" ({e.draw.draw_no})" if e.draw_id else ""),
                    e.inspection_no, e.findings[:200] or (e.get_result_display() or ""),
                    e.get_status_display())
    for c in f.scoped(m.PenaltyCase, m.PenaltyCase.objects.filter(subject=f.subject)):
        detail = c.decision[:200] or c.basis[:200]
        if c.amount is not None:
            detail = _("fine %(amount)s yuan; %(text)s") % {"amount": c.amount, "text": detail}
        yield Event(_at(c.filed_on), "enforcement", _("penalty case %(code)s")
                    % {"code": c.violation_code}, c.case_no, detail, c.get_status_display())


def quality(f: File) -> Iterator[Event]:
    qs = f.scoped(m.DataQualityIssue, m.DataQualityIssue.objects.filter(
        Q(subject=f.subject) | Q(owner_subject=f.subject)))
    page = _url("supervision:quality")
    for i in qs:
        yield Event(i.created_at, "quality", i.message[:200], i.rule, i.record_label,
                    i.get_status_display(),
                    page and f"{page}?rule={i.rule}&status={i.status}&q={f.subject.subject_code}")


def staff(f: File) -> Iterator[Event]:
    if f.agency is None:
        return
    agency = f.agency
    for i in f.scoped(m.Inspector, agency.inspectors.all()):
        yield Event(_at(i.employed_from) or i.created_at, "staff",
                    _("inspector %(name)s") % {"name": i.name}, i.certificate_no,
                    _("%(title)s; certificate valid to %(day)s; ID number %(no)s")
                    % {"title": i.get_title_level_display(),
                       "day": i.certificate_valid_to or "—", "no": f.id_number(i) or "—"})
    for ins in f.scoped(m.Instrument, agency.instruments.all()):
        yield Event(_at(ins.calibrated_on) or ins.created_at, "staff",
                    _("instrument %(kind)s calibrated") % {"kind": ins.get_kind_display()},
                    ins.serial_no, _("calibration valid to %(day)s")
                    % {"day": ins.calib_valid_to or "—"})
    for a in f.scoped(m.AnnualReport, agency.annual_reports.all()):
        yield Event(_at(a.submitted_on) or a.created_at, "staff",
                    _("annual report %(year)d") % {"year": a.year}, "",
                    a.get_spot_check_display())
    for fl in f.scoped(m.AgencyFiling, agency.filings.all()):
        yield Event(_at(fl.filed_on), "staff", _("filed to work in %(region)s")
                    % {"region": fl.region_code}, "", _("valid to %(day)s")
                    % {"day": fl.valid_to or "—"})


def audit_trail(f: File) -> Iterator[Event]:
    qs = f.scoped(m.AuditEntry, m.AuditEntry.objects.filter(subject_code=f.subject.subject_code))
    for a in qs.order_by("-seq")[:AUDIT_LIMIT]:
        yield Event(a.at, "audit", a.action, f"#{a.seq}",
                    f"{a.actor} · {a.object_type}:{a.object_id}")


AUDIT_LIMIT = 2000  # the newest entries; the whole trail is in the admin and `audit verify`

GATHERERS: dict[str, Callable[[File], Iterable[Event]]] = {
    "registry": registry, "site": sites, "inspection": inspections, "session": sessions,
    "report": reports, "hazard": hazards, "credit": credit, "exchange": exchange,
    "enforcement": enforcement, "quality": quality, "staff": staff, "audit": audit_trail,
}
