"""Capture-stage rules: what was entered is complete and well-formed.

Identifiers that failed their check characters (kept in review, never silently: spec §3),
mandatory fields left empty, and measurements recorded in another unit than the item's canonical
one (values are compared across reports, so a unit slip is a data error, not a style issue).
The owner is who holds the data: the key unit for its unit and sites, the agency for its
certificate, staff, instruments and measurements.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import models as m
from qixiang.supervision.quality import rule
from qixiang.supervision.quality.interface import Finding


def _role_subject(subject: m.Subject) -> m.Subject | None:
    """The subject itself when it can log in and act (a key unit or an agency), else None."""
    has_role = (hasattr(subject, "key_unit") or hasattr(subject, "agency"))
    return subject if has_role else None


@rule("capture.uscc_check", m.Stage.CAPTURE, m.IssueSeverity.ERROR,
      gettext_lazy("credit code failed its check character"))
def uscc_check() -> Iterator[Finding]:
    for subject in m.Subject.objects.filter(uscc_check=m.IdentifierCheck.REVIEW):
        yield Finding(subject, "uscc", _("The unified social credit code %(code)s fails its "
                                         "GB 32100 check; confirm or correct it.")
                      % {"code": subject.uscc}, owner_subject=subject, subject=subject)


@rule("capture.id_no_check", m.Stage.CAPTURE, m.IssueSeverity.ERROR,
      gettext_lazy("ID number failed its check character"))
def id_no_check() -> Iterator[Finding]:
    message = _("The ID number %(masked)s fails its GB 11643 check; confirm or correct it.")
    for subject in m.Subject.objects.filter(id_no_check=m.IdentifierCheck.REVIEW):
        yield Finding(subject, "id_no", message % {"masked": subject.id_no_masked},
                      owner_subject=subject, subject=subject)
    for inspector in (m.Inspector.objects.filter(id_no_check=m.IdentifierCheck.REVIEW)
                      .select_related("agency__subject")):
        yield Finding(inspector, "id_no", message % {"masked": inspector.id_no_masked},
                      owner_subject=inspector.agency.subject, subject=inspector.agency.subject)


def _empty(model, fields: tuple[str, ...]) -> Q:
    """Rows of ``model`` where any of ``fields`` is empty (NULL or "", as the column keeps it)."""
    query = Q()
    for name in fields:
        column = model._meta.get_field(name)
        query |= Q(**{f"{name}__isnull": True}) if column.null else Q(**{name: ""})
    return query


# Mandatory fields per registry record, beyond what the database already requires [Prop].
MANDATORY = {
    m.KeyUnit: ("safety_principal", "safety_principal_phone", "responsible_department",
                "listing_year"),
    m.Site: ("address", "latitude", "longitude"),
    m.Agency: ("certificate_issued_on", "technical_lead"),
    m.Inspector: ("certificate_no", "certificate_valid_to", "insurance_employer_uscc",
                  "id_no_hash"),
    m.Instrument: ("calibration_certificate_no", "calib_valid_to"),
}


def _owner(record) -> m.Subject:
    if isinstance(record, m.KeyUnit):
        return record.subject
    if isinstance(record, m.Site):
        return record.key_unit.subject
    if isinstance(record, m.Agency):
        return record.subject
    return record.agency.subject


def _live(model) -> Q:
    if model is m.KeyUnit:
        return Q(delisted_on__isnull=True)
    if model in (m.Site, m.Instrument):
        return Q(retired_on__isnull=True)
    if model is m.Inspector:
        return Q(employed_to__isnull=True)
    return Q()


RELATED = {m.KeyUnit: ("subject",), m.Site: ("key_unit__subject",),
           m.Agency: ("subject",), m.Inspector: ("agency__subject",),
           m.Instrument: ("agency__subject",)}


@rule("capture.mandatory_fields", m.Stage.CAPTURE, m.IssueSeverity.WARNING,
      gettext_lazy("mandatory field missing"))
def mandatory_fields() -> Iterator[Finding]:
    for model, fields in MANDATORY.items():
        records = (model.objects.filter(_live(model)).filter(_empty(model, fields))
                   .select_related(*RELATED[model]))
        for record in records:
            owner = _owner(record)
            for name in fields:
                value = getattr(record, model._meta.get_field(name).attname)
                if value in ("", None):
                    label = (_("ID number") if name == "id_no_hash"
                             else model._meta.get_field(name).verbose_name)
                    yield Finding(record, name, _("%(record)s: %(field)s is missing.")
                                  % {"record": record, "field": label},
                                  owner_subject=owner, subject=_subject_of(record, owner))


def _subject_of(record, owner: m.Subject) -> m.Subject:
    return record.subject if isinstance(record, (m.KeyUnit, m.Site, m.Agency)) else owner


@rule("capture.measurement_unit", m.Stage.CAPTURE, m.IssueSeverity.ERROR,
      gettext_lazy("measurement in the wrong unit"))
def measurement_unit() -> Iterator[Finding]:
    wrong = Q()
    for item, unit in m.ITEM_UNITS.items():
        wrong |= Q(item=item) & ~Q(unit=unit)
    for measurement in (m.Measurement.objects.filter(wrong)
                        .select_related("task__agency__subject", "task__subject")):
        yield Finding(
            measurement, "unit",
            _("%(task)s: %(item)s recorded in %(unit)s; the canonical unit is %(canonical)s.")
            % {"task": measurement.task.task_no, "item": measurement.get_item_display(),
               "unit": measurement.unit, "canonical": m.ITEM_UNITS[measurement.item]},
            owner_subject=measurement.task.agency.subject, subject=measurement.task.subject)
