"""What each supervision user may see: one queryset function per kind of record.

Four kinds of users (:func:`actor_kind`):

* **administrators** (role administrator or superuser) see everything;
* **regulators** (role regulator) see the records of their region, by GB/T 2260 prefix: the
  national level (no region) everything, a province ``44xxxx``, a city ``4401xx``, a county
  itself. A record's region is its subject's; an agency is also seen where it filed to work;
* **key-unit users** (a :class:`~qixiang.supervision.models.Membership` with a key unit) see
  only their own unit: its subject, sites, tasks and reports at its sites, hazards, credit and
  shared records, and the agencies that inspected it;
* **agency users** (a membership with an agency) see only their agency: its staff,
  instruments, tasks, sessions, measurements and reports, the hazards those reports found, and
  the sites and subjects they were contracted for.

Everyone else (forecasters, data users, anonymous visitors) sees nothing here. A membership
wins over a role: a user acting for an organisation never sees more than it. Enforcement
inspections drawn at random are hidden from their target until officers are on site (a draw
announced in advance is no longer random). Every page and API filters through these functions
and checks single records with :func:`require`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from qixiang.accounts.models import Role, region_prefix
from qixiang.supervision import models as m

ADMIN, REGULATOR, KEY_UNIT, AGENCY = "administrator", "regulator", "key_unit", "agency"
ENFORCEMENT_SECRET = (m.EnforcementStatus.DRAWN, m.EnforcementStatus.ASSIGNED)


def membership(user) -> m.Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.supervision_membership
    except m.Membership.DoesNotExist:
        return None


def actor_kind(user) -> str | None:
    """``administrator``, ``regulator``, ``key_unit``, ``agency`` or None (sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    member = membership(user)
    if member is not None:
        return KEY_UNIT if member.key_unit_id else AGENCY
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return ADMIN
    if user.role == Role.REGULATOR:
        return REGULATOR
    return None


def _region(field: str, user) -> Q:
    prefix = region_prefix(user.region_code)
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def _regulated_subjects(user) -> Q:
    """Subjects in the regulator's region, and agencies filed to work there."""
    prefix = region_prefix(user.region_code)
    if not prefix:
        return Q()
    return Q(region_code__startswith=prefix) | Q(agency__filings__region_code__startswith=prefix)


def _scoped(model: type[Model], user, *, regulator: Q | None, key_unit, agency,
            queryset: QuerySet | None = None) -> QuerySet:
    """Filter ``model`` by the condition of the user's kind; ``key_unit``/``agency`` take the id."""
    qs = model.objects.all() if queryset is None else queryset
    kind = actor_kind(user)
    if kind == ADMIN:
        return qs
    if kind == REGULATOR and regulator is not None:
        return qs.filter(regulator).distinct() if regulator else qs
    member = membership(user)
    if kind == KEY_UNIT and key_unit is not None:
        return qs.filter(key_unit(member.key_unit.subject_id)).distinct()
    if kind == AGENCY and agency is not None:
        return qs.filter(agency(member.agency_id)).distinct()
    return qs.none()


def _subject_region(user, path: str = "subject") -> Q:
    return _region(f"{path}__region_code", user)


def subjects(user, queryset=None) -> QuerySet[m.Subject]:
    return _scoped(m.Subject, user, queryset=queryset,
                   regulator=_regulated_subjects(user) if actor_kind(user) == REGULATOR else None,
                   key_unit=lambda s: Q(pk=s),
                   agency=lambda a: Q(agency__pk=a) | Q(inspection_tasks__agency=a))


def key_units(user, queryset=None) -> QuerySet[m.KeyUnit]:
    return _scoped(m.KeyUnit, user, queryset=queryset, regulator=_subject_region(user),
                   key_unit=lambda s: Q(subject_id=s),
                   agency=lambda a: Q(subject__inspection_tasks__agency=a))


def sites(user, queryset=None) -> QuerySet[m.Site]:
    return _scoped(m.Site, user, queryset=queryset, regulator=_subject_region(user),
                   key_unit=lambda s: Q(subject_id=s), agency=lambda a: Q(tasks__agency=a))


def components(user, queryset=None) -> QuerySet[m.LPSComponent]:
    return _scoped(m.LPSComponent, user, queryset=queryset,
                   regulator=_subject_region(user, "site__subject"),
                   key_unit=lambda s: Q(site__subject_id=s),
                   agency=lambda a: Q(site__tasks__agency=a))


def _agency_region(user, path: str = "") -> Q:
    prefix = region_prefix(user.region_code)
    if not prefix:
        return Q()
    return (Q(**{f"{path}region_code__startswith": prefix})
            | Q(**{f"{path}filings__region_code__startswith": prefix}))


def agencies(user, queryset=None) -> QuerySet[m.Agency]:
    return _scoped(m.Agency, user, queryset=queryset, regulator=_agency_region(user),
                   key_unit=lambda s: Q(tasks__subject_id=s), agency=lambda a: Q(pk=a))


def inspectors(user, queryset=None) -> QuerySet[m.Inspector]:
    return _scoped(m.Inspector, user, queryset=queryset,
                   regulator=_agency_region(user, "agency__"), key_unit=None,
                   agency=lambda a: Q(agency_id=a))


def instruments(user, queryset=None) -> QuerySet[m.Instrument]:
    return _scoped(m.Instrument, user, queryset=queryset,
                   regulator=_agency_region(user, "agency__"), key_unit=None,
                   agency=lambda a: Q(agency_id=a))


def _task_regulator(user, path: str = "") -> Q:
    """A task concerns a regulator where the site is and where the agency is supervised."""
    prefix = region_prefix(user.region_code)
    if not prefix:
        return Q()
    return (Q(**{f"{path}subject__region_code__startswith": prefix})
            | Q(**{f"{path}agency__region_code__startswith": prefix}))


def tasks(user, queryset=None) -> QuerySet[m.InspectionTask]:
    return _scoped(m.InspectionTask, user, queryset=queryset, regulator=_task_regulator(user),
                   key_unit=lambda s: Q(subject_id=s), agency=lambda a: Q(agency_id=a))


def _via_task(model: type[Model], path: str) -> Callable:
    def scope(user, queryset=None) -> QuerySet:
        return _scoped(model, user, queryset=queryset,
                       regulator=_task_regulator(user, f"{path}__"),
                       key_unit=lambda s: Q(**{f"{path}__subject_id": s}),
                       agency=lambda a: Q(**{f"{path}__agency_id": a}))
    scope.__doc__ = f"{model._meta.verbose_name_plural} of the tasks the user may see."
    return scope


sessions = _via_task(m.FieldSession, "task")
photos = _via_task(m.FieldPhoto, "session__task")
reports = _via_task(m.InspectionReport, "task")
measurements = _via_task(m.Measurement, "task")


def hazards(user, queryset=None) -> QuerySet[m.Hazard]:
    return _scoped(m.Hazard, user, queryset=queryset, regulator=_subject_region(user),
                   key_unit=lambda s: Q(subject_id=s),
                   agency=lambda a: Q(report__task__agency_id=a))


def rectifications(user, queryset=None) -> QuerySet[m.Rectification]:
    return _scoped(m.Rectification, user, queryset=queryset,
                   regulator=_subject_region(user, "hazard__subject"),
                   key_unit=lambda s: Q(hazard__subject_id=s),
                   agency=lambda a: Q(hazard__report__task__agency_id=a))


def attachments(user, queryset=None) -> QuerySet[m.HazardAttachment]:
    return _scoped(m.HazardAttachment, user, queryset=queryset,
                   regulator=_subject_region(user, "hazard__subject"),
                   key_unit=lambda s: Q(hazard__subject_id=s),
                   agency=lambda a: Q(hazard__report__task__agency_id=a))


def _own_subject(model: type[Model], path: str = "subject") -> Callable:
    """Records of a subject: the region's for regulators, an organisation's own for members."""
    def scope(user, queryset=None) -> QuerySet:
        regulator = None
        if actor_kind(user) == REGULATOR:
            prefix = region_prefix(user.region_code)
            regulator = Q(**{f"{path}__in": m.Subject.objects.filter(
                _regulated_subjects(user))}) if prefix else Q()
        return _scoped(model, user, queryset=queryset, regulator=regulator,
                       key_unit=lambda s: Q(**{f"{path}_id": s}),
                       agency=lambda a: Q(**{f"{path}__agency__pk": a}))
    scope.__doc__ = f"{model._meta.verbose_name_plural} of the subjects the user answers for."
    return scope


credit_records = _own_subject(m.CreditRecord)
credit_ratings = _own_subject(m.CreditRating)
exchange_records = _own_subject(m.ExchangeRecord)
penalty_cases_of_subject = _own_subject(m.PenaltyCase)


def quality_issues(user, queryset=None) -> QuerySet[m.DataQualityIssue]:
    """Issues about records the user answers for, or that they or their organisation own."""
    kind = actor_kind(user)
    qs = m.DataQualityIssue.objects.all() if queryset is None else queryset
    if kind == ADMIN:
        return qs
    if kind == REGULATOR:
        prefix = region_prefix(user.region_code)
        if not prefix:
            return qs
        return qs.filter(Q(subject__in=m.Subject.objects.filter(_regulated_subjects(user)))
                         | Q(owner_user=user)).distinct()
    member = membership(user)
    if member is None:
        return qs.none()
    own = member.key_unit.subject_id if member.key_unit_id else member.agency.subject_id
    return qs.filter(Q(subject_id=own) | Q(owner_subject_id=own) | Q(owner_user=user))


def enforcement_inspections(user, queryset=None) -> QuerySet[m.EnforcementInspection]:
    visible = ~Q(status__in=ENFORCEMENT_SECRET)
    return _scoped(m.EnforcementInspection, user, queryset=queryset,
                   regulator=_region("region_code", user),
                   key_unit=lambda s: Q(subject_id=s) & visible,
                   agency=lambda a: Q(subject__agency__pk=a) & visible)


def draws(user, queryset=None) -> QuerySet[m.Draw]:
    return _scoped(m.Draw, user, queryset=queryset, regulator=_region("region_code", user),
                   key_unit=None, agency=None)


def penalty_cases(user, queryset=None) -> QuerySet[m.PenaltyCase]:
    return _scoped(m.PenaltyCase, user, queryset=queryset,
                   regulator=_region("region_code", user),
                   key_unit=lambda s: Q(subject_id=s), agency=lambda a: Q(subject__agency__pk=a))


def partners(user, queryset=None) -> QuerySet[m.Partner]:
    return _scoped(m.Partner, user, queryset=queryset, regulator=_region("region_code", user),
                   key_unit=None, agency=None)


def audit_entries(user, queryset=None) -> QuerySet[m.AuditEntry]:
    """Administrators see the whole trail; regulators the entries of their region's subjects."""
    qs = m.AuditEntry.objects.all() if queryset is None else queryset
    kind = actor_kind(user)
    if kind == ADMIN:
        return qs
    if kind == REGULATOR:
        return qs.filter(subject_code__in=subjects(user).values("subject_code"))
    return qs.none()


def access_grants(user, queryset=None) -> QuerySet[m.AccessGrant]:
    qs = m.AccessGrant.objects.all() if queryset is None else queryset
    if actor_kind(user) == ADMIN:
        return qs
    return qs.filter(grantee=user) if actor_kind(user) else qs.none()


def memberships(user, queryset=None) -> QuerySet[m.Membership]:
    return _scoped(m.Membership, user, queryset=queryset,
                   regulator=_subject_region(user, "key_unit__subject")
                   | _agency_region(user, "agency__"),
                   key_unit=lambda s: Q(key_unit__subject_id=s), agency=lambda a: Q(agency_id=a))


def filings(user, queryset=None) -> QuerySet[m.AgencyFiling]:
    return _scoped(m.AgencyFiling, user, queryset=queryset,
                   regulator=_agency_region(user, "agency__"), key_unit=None,
                   agency=lambda a: Q(agency_id=a))


def annual_reports(user, queryset=None) -> QuerySet[m.AnnualReport]:
    return _scoped(m.AnnualReport, user, queryset=queryset,
                   regulator=_agency_region(user, "agency__"), key_unit=None,
                   agency=lambda a: Q(agency_id=a))


# One function per model, so a generic view or API can scope any supervision record.
SCOPES: dict[type[Model], Callable[..., QuerySet]] = {
    m.Subject: subjects, m.KeyUnit: key_units, m.Site: sites, m.LPSComponent: components,
    m.Agency: agencies, m.AgencyFiling: filings, m.AnnualReport: annual_reports,
    m.Inspector: inspectors, m.Instrument: instruments, m.InspectionTask: tasks,
    m.FieldSession: sessions, m.FieldPhoto: photos, m.InspectionReport: reports,
    m.Measurement: measurements, m.Hazard: hazards, m.Rectification: rectifications,
    m.HazardAttachment: attachments, m.CreditRecord: credit_records,
    m.CreditRating: credit_ratings, m.ExchangeRecord: exchange_records,
    m.Partner: partners, m.DataQualityIssue: quality_issues, m.Draw: draws,
    m.EnforcementInspection: enforcement_inspections, m.PenaltyCase: penalty_cases,
    m.AuditEntry: audit_entries, m.AccessGrant: access_grants, m.Membership: memberships,
}


def visible(user, model: type[Model], queryset: QuerySet | None = None) -> QuerySet:
    """The records of ``model`` that ``user`` may see."""
    return SCOPES[model](user, queryset)


def can_see(user, obj: Model) -> bool:
    model = type(obj)
    return visible(user, model, model.objects.filter(pk=obj.pk)).exists()


def require(user, obj: Model) -> Model:
    """``obj`` when ``user`` may see it; PermissionDenied otherwise (the page answers 403)."""
    if not can_see(user, obj):
        raise PermissionDenied(_("This record is outside what you may see."))
    return obj
